import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import type { Peer } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';
import { type ExpirySubject, HOT_ID, HOT_TTL, LASTING_ID, LASTING_TTL, SleepingLoader } from './subject.js';

/**
 * bentocache's nearest feature: a grace period with its default soft timeout 0, which returns the
 * graced value at once and refreshes in the background (bentocache 1.x has no early expiration).
 */
export const peer: Peer<ExpirySubject> = {
  label: "bentocache, grace: '5s'",
  setupNote:
    "`getOrSet({ key, factory, ttl: '1s', grace: '5s' })` (soft timeout default 0), L2 only: `redisDriver({ connection: ioredis })`",
  async setup(context) {
    const client = await connectIoredis(context);
    const loader = new SleepingLoader();
    const bento = new BentoCache({
      default: 'redis',
      prefix: 'bento',
      stores: { redis: bentostore().useL2Layer(redisDriver({ connection: client })) },
    });
    const call = (id: number, ttl: string) =>
      bento.getOrSet({ key: `user:${id}`, factory: () => loader.load(id), ttl, grace: '5s' });
    return {
      expiring: () => call(HOT_ID, HOT_TTL),
      lasting: () => call(LASTING_ID, LASTING_TTL),
      loadsOf: (id) => loader.countOf(id),
      close: async () => {
        await bento.disconnectAll();
        if (client.status !== 'end') await client.quit();
      },
    };
  },
};
