// tiered() over a real Redis: memory L1, redisStore L2, redisBus, on a single node and a
// Cluster, through the conformance suite every store passes.
import { tiered } from '@cachewise/core';
import { runStoreConformance } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { redisBus, redisStore } from '@cachewise/redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type RedisCluster, type RedisServer, randomPrefix, startCluster, startRedis } from './helpers/index.js';

let server: RedisServer;
let cluster: RedisCluster;
let single: Redis;
let clustered: Cluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
  single = server.client();
  clustered = cluster.client();
});
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

for (const [topology, client, prefix] of [
  ['single node', () => single, () => server.newPrefix()],
  ['3-master Cluster', () => clustered, () => randomPrefix()],
] as const) {
  runStoreConformance(`tiered over redis (${topology}), with redisBus`, ({ clock }) => {
    const key = prefix();
    const store = tiered({
      l1: memoryStore(),
      l2: redisStore({ client: client(), prefix: key }),
      bus: redisBus({ client: client() }),
      channel: key.replace(/[^\w.-]/g, '_'),
      clock,
    });
    return { store, cleanup: () => store.close() };
  });
}
