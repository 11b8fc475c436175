import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createMemoryCache, MEMORY_CACHE_NOTE } from './cachewise-memory.js';

/** The function form, closest to cache-manager's `wrap` and bentocache's `getOrSet`. */
export const peer: Peer = {
  label: 'cachewise cache.wrap()',
  setupNote: "``cache.wrap(`user:${id}`, loader, { ttl: '5m' })``, " + MEMORY_CACHE_NOTE,
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = createMemoryCache(capacity);
    return {
      call: (id) => cache.wrap(`user:${id}`, () => loader.load(id), { ttl: '5m' }),
      loads: () => loader.count,
      close: () => cache.close(),
    };
  },
};
