// Sentinel: the store takes an ioredis client configured with sentinels, which finds the
// master through them; nothing in the store is Sentinel-specific.
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisSentinel, type RedisServer, randomPrefix, startRedis, startSentinel } from './helpers/index.js';

let master: RedisServer;
let sentinel: RedisSentinel;
let client: Redis;
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
  client?.disconnect();
  await sentinel?.stop();
  await master?.stop();
});

describe('through Sentinel', () => {
  it('caches, invalidates and deletes on the master the sentinel names', async () => {
    const prefix = randomPrefix();
    const cache = createCache({ store: redisStore({ client, prefix }), namespace: 'sentinel', setAsDefault: false });
    let loads = 0;
    const load = () => cache.wrap('user:1', async () => ({ id: 1, loads: ++loads }), { tags: ['user:1'] });
    expect(await load()).toEqual({ id: 1, loads: 1 });
    expect(await load()).toEqual({ id: 1, loads: 1 });
    await cache.invalidateTags(['user:1']);
    expect(await load()).toEqual({ id: 1, loads: 2 });
    await cache.delete('user:1');
    expect(await load()).toEqual({ id: 1, loads: 3 });
    // The data is on the master the sentinel points at.
    expect(await master.client().exists(`${prefix}{sentinel:k:user:1}:e`)).toBe(1);
  });
});
