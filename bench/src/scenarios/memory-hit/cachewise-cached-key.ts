import { Cached } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createMemoryCache, MEMORY_CACHE_NOTE } from './cachewise-memory.js';

/**
 * A decorated method with a key function, as many users write it: the key is the
 * function's string under the namespace (`bench:k:user:<id>`), not one derived from the arguments.
 */
export const peer: Peer = {
  label: 'cachewise @Cached + key fn',
  setupNote: "``@Cached({ ttl: '5m', key: (id) => `user:${id}` })``, " + MEMORY_CACHE_NOTE,
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = createMemoryCache(capacity);

    class Repo {
      @Cached({ ttl: '5m', key: (id: number) => `user:${id}` })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return { call: (id) => repo.findById(id), loads: () => loader.count, close: () => cache.close() };
  },
};
