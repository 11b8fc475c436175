import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Loader } from '../../harness/user.js';
import type { Peer, PeerContext, Subject } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';

/**
 * bentocache's tiered store as its docs build it: a memory L1, a Redis L2 and a Redis bus
 * that keeps the L1s of several processes coherent. The L1 keeps its default (serialized
 * entries): with `serialize: false` bentocache 1.6.1 throws on the first L1 hit of an entry
 * that came from L2 (`TypeError: Cannot read properties of undefined (reading 'deserialize')`
 * in `CacheEntry.fromDriver`; Julien-R44/bentocache#111), which is every entry another
 * process loaded. The `bentocache-no-serialize` row measures that setting anyway, on entries
 * this process loaded itself, where it works.
 */
export const peer: Peer = bentocacheTiered(true);

export function bentocacheTiered(serialize: boolean): Peer {
  return {
    label: `bentocache getOrSet() (L1 + L2 + bus${serialize ? '' : ', L1 `serialize: false`'})`,
    setupNote:
      `\`getOrSet({ key, factory, ttl: 5m })\`, \`useL1Layer(memoryDriver({ maxItems: capacity${serialize ? '' : ', serialize: false'} }))\`, ` +
      '`useL2Layer(redisDriver({ connection: ioredis }))`, `useBus(redisBusDriver({ connection: ioredis }))`' +
      (serialize
        ? ''
        : ' — fails on entries read from L2 in 1.6.1 (bentocache#111): here every entry was loaded by this process'),
    setup: (context) => setup(context, serialize),
  };
}

async function setup(context: PeerContext, serialize: boolean): Promise<Subject> {
  const loader = new Loader();
  const client = await connectIoredis(context);
  const bento = new BentoCache({
    default: 'tiered',
    prefix: 'bento',
    stores: {
      tiered: bentostore()
        .useL1Layer(memoryDriver({ maxItems: context.capacity, serialize }))
        .useL2Layer(redisDriver({ connection: client }))
        .useBus(redisBusDriver({ connection: client })),
    },
  });
  return {
    call: (id) => bento.getOrSet({ key: `user:${id}`, factory: () => loader.load(id), ttl: '5m' }),
    loads: () => loader.count,
    close: async () => {
      await bento.disconnectAll();
      if (client.status !== 'end') client.disconnect();
    },
  };
}
