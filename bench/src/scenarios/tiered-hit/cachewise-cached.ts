import { Cached } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createTieredCache, TIERED_NOTE } from './cachewise-tiered.js';

/** The product's main path on the tiered store: a decorated method with the default key. */
export const peer: Peer = {
  label: 'cachewise @Cached (tiered)',
  setupNote: `\`@Cached({ ttl: '5m' })\` (legacy decorators, default key), ${TIERED_NOTE}`,
  async setup(context) {
    const loader = new Loader();
    const { close } = await createTieredCache(context);

    class Repo {
      @Cached({ ttl: '5m' })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return { call: (id) => repo.findById(id), loads: () => loader.count, close };
  },
};
