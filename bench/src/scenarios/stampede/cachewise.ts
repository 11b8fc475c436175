import type { Peer } from '../peer.js';
import { loadRedlockProtector } from '../redis-hit/connection.js';
import { cachewiseStampedeSubject } from './cachewise-subject.js';

/** cachewise as issue 8 ships it: the Redis store plus the Redlock stampede protector on the same client. */
export const peer: Peer = {
  label: 'cachewise @Cached (redisStore + redlockProtector)',
  setupNote:
    "`@Cached({ ttl: '5m' })`, `createCache({ store: redisStore({ client }), stampede: redlockProtector({ client }) })`, protector defaults (`lockTtl: '5s'`, `wait: '2s'`)",
  setup: (context) => cachewiseStampedeSubject(context, async (client) => (await loadRedlockProtector())({ client })),
};
