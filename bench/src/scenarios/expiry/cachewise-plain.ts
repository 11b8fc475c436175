import type { Peer } from '../peer.js';
import { CACHEWISE_EXPIRY_NOTE, cachewiseExpirySubject } from './cachewise-subject.js';
import type { ExpirySubject } from './subject.js';

/** cachewise with neither feature: at each expiry the callers of that moment wait for the load (coalesced). */
export const peer: Peer<ExpirySubject> = {
  label: 'cachewise, neither feature',
  setupNote: `${CACHEWISE_EXPIRY_NOTE}; in-process single flight only`,
  setup: (context) => cachewiseExpirySubject(context, {}),
};
