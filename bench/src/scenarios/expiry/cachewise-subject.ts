import { type CacheOptions, createCache } from '@cachewise/core';
import type { PeerContext } from '../peer.js';
import { connectIoredis, loadRedisStore } from '../redis-hit/connection.js';
import { type ExpirySubject, HOT_ID, HOT_TTL, LASTING_ID, LASTING_TTL, SleepingLoader } from './subject.js';

/** What the cachewise expiry rows share, for their setup notes. */
export const CACHEWISE_EXPIRY_NOTE =
  "`cache.wrap(key, loader, { ttl: '1s' })`, `redisStore({ client: ioredis })`, default jitter (0.1: the 1 s TTL lands in 0.9–1 s)";

/** A cachewise row of the expiry scenario: `cache.wrap` over redisStore, with the row's cache-wide features. */
export async function cachewiseExpirySubject(
  context: PeerContext,
  features: Pick<CacheOptions, 'earlyRefresh' | 'staleWhileRevalidate'>,
): Promise<ExpirySubject> {
  const redisStore = await loadRedisStore();
  const client = await connectIoredis(context);
  try {
    const cache = createCache({
      store: redisStore({ client, prefix: 'cw' }),
      namespace: 'bench',
      setAsDefault: false,
      ...features,
    });
    const loader = new SleepingLoader();
    return {
      expiring: () => cache.wrap(`user:${HOT_ID}`, () => loader.load(HOT_ID), { ttl: HOT_TTL }),
      lasting: () => cache.wrap(`user:${LASTING_ID}`, () => loader.load(LASTING_ID), { ttl: LASTING_TTL }),
      loadsOf: (id) => loader.countOf(id),
      close: async () => {
        await cache.close();
        if (client.status !== 'end') await client.quit();
      },
    };
  } catch (error) {
    await client.quit();
    throw error;
  }
}
