import type { Peer } from '../peer.js';
import { CACHEWISE_EXPIRY_NOTE, cachewiseExpirySubject } from './cachewise-subject.js';
import type { ExpirySubject } from './subject.js';

/** cachewise with XFetch early refresh (beta 1): a read shortly before expiry refreshes in the background. */
export const peer: Peer<ExpirySubject> = {
  label: 'cachewise, earlyRefresh: true',
  setupNote: `\`createCache({ earlyRefresh: true })\`, ${CACHEWISE_EXPIRY_NOTE}`,
  setup: (context) => cachewiseExpirySubject(context, { earlyRefresh: true }),
};
