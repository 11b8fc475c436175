export { memoryStore } from './memory-store.js';
export type { MemoryLiveStore, MemoryByteStore, MemoryStoreProperties } from './memory-store.js';
export type { MemoryStoreOptions } from './options.js';
