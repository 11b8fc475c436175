import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { connectIoredis } from './connection.js';

/** bentocache with only its L2 Redis layer, so every call goes to Redis as the others do. */
export const peer: Peer = {
  label: 'bentocache redis driver',
  setupNote: '`getOrSet({ key, factory, ttl: 5m })`, L2 only: `redisDriver({ connection: ioredis })`, no L1, no bus',
  async setup(context) {
    const loader = new Loader();
    const client = await connectIoredis(context);
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
        if (client.status !== 'end') await client.quit();
      },
    };
  },
};
