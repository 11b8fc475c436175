import { createCache } from 'cache-manager';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/**
 * cache-manager 7 with its default store: a Keyv over an unbounded Map, serialization off.
 * Passing `stores: [new Keyv()]` instead keeps Keyv's JSON serialization on and is about
 * 2.5× slower on a hit, so that is not the configuration to compare against.
 */
export const peer: Peer = {
  label: 'cache-manager wrap()',
  setupNote: '`wrap(key, loader, 5m)`, `createCache()` default store (Keyv over a Map, no serialization, unbounded)',
  async setup() {
    const loader = new Loader();
    const cache = createCache();
    return {
      call: (id) => cache.wrap(`user:${id}`, async () => loader.load(id), 5 * 60_000),
      loads: () => loader.count,
      close: async () => {
        await cache.disconnect();
      },
    };
  },
};
