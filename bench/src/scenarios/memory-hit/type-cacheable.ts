import { Cacheable } from '@type-cacheable/core';
import { useAdapter } from '@type-cacheable/lru-cache-adapter';
import { LRUCache } from 'lru-cache';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/**
 * type-cacheable's decorator over lru-cache. An explicit `cacheKey` is given: its default
 * key is an md5 of the serialized arguments and instance, much slower, and rarely used.
 */
export const peer: Peer = {
  label: 'type-cacheable @Cacheable',
  setupNote: '`@Cacheable({ cacheKey, ttlSeconds: 300 })`, lru-cache-adapter, `max` = capacity',
  async setup({ capacity }) {
    const loader = new Loader();
    const client = new LRUCache<string, object>({ max: capacity });
    // The adapter (CommonJS) sees lru-cache's CommonJS typings and we its ESM ones: the same
    // class at run time, two declarations to the compiler.
    useAdapter(client as unknown as Parameters<typeof useAdapter>[0]);

    class Repo {
      @Cacheable({ cacheKey: (args: unknown[]) => `user:${String(args[0])}`, ttlSeconds: 300 })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return { call: (id) => repo.findById(id), loads: () => loader.count };
  },
};
