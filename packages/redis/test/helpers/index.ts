// Test-only helpers for @cachewise/redis: real servers on private ports, cleaned up after.

export { findOnPath, INSTALL_COMMAND } from './processes.js';
export type { RedisCluster, StartClusterOptions } from './redis-cluster.js';
export { startCluster } from './redis-cluster.js';
export type { RedisSentinel } from './redis-sentinel.js';
export { startSentinel } from './redis-sentinel.js';
export type { RedisServer, StartRedisOptions } from './redis-server.js';
export { randomPrefix, startRedis, TEST_CLIENT_DEFAULTS } from './redis-server.js';
export { rawCommand } from './resp.js';
export type { CountingProxy } from './tcp-proxy.js';
export { startCountingProxy } from './tcp-proxy.js';
