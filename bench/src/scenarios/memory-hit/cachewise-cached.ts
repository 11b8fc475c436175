import { Cached } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createMemoryCache, MEMORY_CACHE_NOTE } from './cachewise-memory.js';

/** The product's main path: a decorated method with the default key. */
export const peer: Peer = {
  label: 'cachewise @Cached',
  setupNote: `\`@Cached({ ttl: '5m' })\` (legacy decorators, default key), ${MEMORY_CACHE_NOTE}`,
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = createMemoryCache(capacity);

    class Repo {
      @Cached({ ttl: '5m' })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return { call: (id) => repo.findById(id), loads: () => loader.count, close: () => cache.close() };
  },
};
