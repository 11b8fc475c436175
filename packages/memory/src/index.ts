export { memoryStore } from './memory-store.js';
export type { MemoryLiveStore, MemoryByteStore } from './memory-store.js';
export type { MemoryStoreOptions } from './options.js';
