import type { Peer } from '../peer.js';
import { cachewiseStampedeSubject } from './cachewise-subject.js';

/** cachewise without a protector: in-process single flight only, as before issue 8. */
export const peer: Peer = {
  label: 'cachewise @Cached (redisStore, no protector)',
  setupNote:
    "`@Cached({ ttl: '5m' })`, `createCache({ store: redisStore({ client }) })`: in-process single flight only",
  setup: (context) => cachewiseStampedeSubject(context),
};
