export type { MemoryByteStore, MemoryLiveStore, MemoryStoreProperties } from './memory-store.js';
export { memoryStore } from './memory-store.js';
export type { MemoryStoreOptions } from './options.js';
