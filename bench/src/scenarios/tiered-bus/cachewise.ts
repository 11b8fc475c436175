import type { Peer } from '../peer.js';
import { createTieredCache, TIERED_NOTE, type TieredCache } from '../tiered-hit/cachewise-tiered.js';

/** The invalidating side of the tiered-bus scenario; the subscriber process sets up the same. */
export const peer: Peer<TieredCache> = {
  label: 'cachewise tiered + redisBus',
  setupNote: `\`cache.invalidateTags([\`t<i>\`])\` in one process, ${TIERED_NOTE} in both`,
  setup: (context) => createTieredCache(context, { namespace: 'bus' }),
};
