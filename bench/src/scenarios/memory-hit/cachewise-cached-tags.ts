import { Cached } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createMemoryCache, MEMORY_CACHE_NOTE } from './cachewise-memory.js';

/** A decorated method whose entries carry a tag each: a hit also checks the tag's version. */
export const peer: Peer = {
  label: 'cachewise @Cached + tags',
  setupNote: "``@Cached({ ttl: '5m', tags: (id) => [`user:${id}`] })``, " + MEMORY_CACHE_NOTE,
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = createMemoryCache(capacity);

    class Repo {
      @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return { call: (id) => repo.findById(id), loads: () => loader.count, close: () => cache.close() };
  },
};
