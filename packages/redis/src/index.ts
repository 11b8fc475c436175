/**
 * `redisStore()`, `redisBus()` and `redlockProtector()` on ioredis.
 *
 * @module main
 */
export { redisBus } from './bus.js';
export type { RedisBusOptions } from './bus-options.js';
export type { RedisStoreOptions } from './options.js';
export { redisStore } from './redis-store.js';
export type { RedlockProtector, RedlockProtectorOptions } from './redlock-options.js';
export { redlockProtector } from './redlock-protector.js';
