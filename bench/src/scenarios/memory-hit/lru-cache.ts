import { LRUCache } from 'lru-cache';
import { idOfKey, Loader, type User } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/** The fair baseline: a bounded LRU with TTL and an async loader, as `@Cached` is. */
export const peer: Peer = {
  label: 'lru-cache fetch()',
  setupNote: '`fetch()` with `fetchMethod`, `max` = capacity, `ttl` 5m',
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = new LRUCache<string, User>({
      max: capacity,
      ttl: 5 * 60_000,
      fetchMethod: async (key) => loader.load(idOfKey(key)),
    });
    return { call: (id) => cache.fetch(`user:${id}`), loads: () => loader.count };
  },
};
