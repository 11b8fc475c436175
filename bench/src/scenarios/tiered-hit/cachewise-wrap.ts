import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createTieredCache, TIERED_NOTE } from './cachewise-tiered.js';

/** The function form on the tiered store, closest to bentocache's `getOrSet` and cache-manager's `wrap`. */
export const peer: Peer = {
  label: 'cachewise cache.wrap() (tiered)',
  setupNote: "``cache.wrap(`user:${id}`, loader, { ttl: '5m' })``, " + TIERED_NOTE,
  async setup(context) {
    const loader = new Loader();
    const { cache, close } = await createTieredCache(context);
    return {
      call: (id) => cache.wrap(`user:${id}`, () => loader.load(id), { ttl: '5m' }),
      loads: () => loader.count,
      close,
    };
  },
};
