import { runStoreConformance } from '@cachewise/core/testing';
import { redisStore } from '@cachewise/redis';
import { mockRedisStore } from '@cachewise/redis/testing';
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

// Each test gets a fresh prefix, so tests share nothing.
runStoreConformance('redis (single node)', () => ({
  store: redisStore({ client: single, prefix: server.newPrefix() }),
}));
runStoreConformance('redis (3-master Cluster)', () => ({
  store: redisStore({ client: clustered, prefix: randomPrefix() }),
}));
runStoreConformance('redis on ioredis-mock (testing helper)', () => ({
  store: mockRedisStore({ prefix: randomPrefix() }),
}));
