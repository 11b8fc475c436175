// redisBus() on a client that finds its master through Sentinel: the subscriber
// connection, duplicated from it, finds the master the same way, also when it is replaced.
import { redisBus } from '@cachewise/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { busTracker, freshChannel, listener } from './bus-listener.js';
import { type RedisSentinel, type RedisServer, startRedis, startSentinel } from './helpers/index.js';

let master: RedisServer;
let sentinel: RedisSentinel;
let client: Redis;
const buses = busTracker();
beforeAll(async () => {
  master = await startRedis({ private: true });
  sentinel = await startSentinel(master.port);
  client = new Redis({
    sentinels: [{ host: sentinel.host, port: sentinel.port }],
    name: sentinel.masterName,
    maxRetriesPerRequest: 1,
  });
});
afterAll(async () => {
  await buses.closeAll();
  client?.disconnect();
  await sentinel?.stop();
  await master?.stop();
});

it('publishes and subscribes on the master the sentinel names, and resubscribes after a drop', async () => {
  const bus = buses.track(redisBus({ client }));
  const channel = freshChannel();
  const on = listener();
  await bus.subscribe(channel, on);
  await bus.publish(channel, 'through sentinel');
  await master.client().publish(channel, 'on the master');
  expect(await on.receive(2)).toEqual(['through sentinel', 'on the master']);
  await master.client().call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await on.toldState(false);
  await on.toldState(true);
  await bus.publish(channel, 'after the drop');
  expect(await on.receive(3)).toEqual(['through sentinel', 'on the master', 'after the drop']);
});
