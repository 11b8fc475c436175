import 'reflect-metadata';
import { type Cache, createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

/** The cachewise cache every memory row uses: the memory store with live values (its default). */
export function createMemoryCache(capacity: number): Cache {
  return createCache({ store: memoryStore({ maxEntries: capacity }), namespace: 'bench', ttl: '5m' });
}

export const MEMORY_CACHE_NOTE = '`memoryStore({ maxEntries: capacity })`, ttl 5m';
