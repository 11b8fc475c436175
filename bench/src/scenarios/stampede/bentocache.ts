import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import type { Peer } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';
import { SlowLoader } from './loader.js';

/**
 * bentocache with its Redis driver as the only layer, every option at its default. Its lock
 * is in-process (an async-mutex per key, `lockTimeout` unset), and its factory timeouts
 * (soft `timeout: 0`, no `hardTimeout`) only act when a graced value exists, which a cold key has not.
 */
export const peer: Peer = {
  label: 'bentocache redis driver',
  setupNote:
    '`getOrSet({ key, factory, ttl: 5m })`, L2 only: `redisDriver({ connection: ioredis })`; defaults: in-process lock, no lockTimeout, soft timeout 0, no hard timeout',
  async setup(context) {
    const client = await connectIoredis(context);
    const loader = await SlowLoader.connect(context);
    const bento = new BentoCache({
      default: 'redis',
      prefix: 'bento',
      stores: { redis: bentostore().useL2Layer(redisDriver({ connection: client })) },
    });
    return {
      call: (id) => bento.getOrSet({ key: `user:${id}`, factory: () => loader.load(id), ttl: '5m' }),
      loads: () => loader.count,
      close: async () => {
        await bento.disconnectAll();
        await loader.close();
        if (client.status !== 'end') await client.quit();
      },
    };
  },
};
