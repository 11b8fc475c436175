import { bentocacheTiered } from './bentocache.js';

/** bentocache tiered with its L1 on the fast path of the memory bench (see bentocache.ts for its limit). */
export const peer = bentocacheTiered(false);
