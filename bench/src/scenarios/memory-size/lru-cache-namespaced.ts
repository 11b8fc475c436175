import { LRUCache } from 'lru-cache';
import { Loader, type User } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/** The storage key `@Cached` builds for `Repo.findById(id)` in the namespace `bench`. */
const PREFIX = 'bench:m:Repo.findById:n';

/**
 * lru-cache as the existing row sets it up, but with keys of the shape cachewise stores
 * for a decorated method (`bench:m:Repo.findById:n<id>`, 23 + digits characters instead of
 * `user:<id>`'s 5 + digits): the same key bytes on both sides of the comparison.
 */
export const peer: Peer = {
  label: 'lru-cache fetch(), namespaced string keys',
  setupNote: '`fetch()` with `fetchMethod`, `max` = capacity, `ttl` 5m, keys `bench:m:Repo.findById:n<id>`',
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = new LRUCache<string, User>({
      max: capacity,
      ttl: 5 * 60_000,
      fetchMethod: async (key) => loader.load(Number(key.slice(PREFIX.length))),
    });
    return { call: (id) => cache.fetch(`${PREFIX}${id}`), loads: () => loader.count };
  },
};
