import type { Peer } from '../peer.js';
import { CACHEWISE_EXPIRY_NOTE, cachewiseExpirySubject } from './cachewise-subject.js';
import type { ExpirySubject } from './subject.js';

/** cachewise with stale-while-revalidate: past the TTL a read gets the stale value and starts one refresh. */
export const peer: Peer<ExpirySubject> = {
  label: "cachewise, staleWhileRevalidate: '5s'",
  setupNote: `\`createCache({ staleWhileRevalidate: '5s' })\`, ${CACHEWISE_EXPIRY_NOTE}`,
  setup: (context) => cachewiseExpirySubject(context, { staleWhileRevalidate: '5s' }),
};
