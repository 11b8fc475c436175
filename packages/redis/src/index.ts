export type { RedisStoreOptions } from './options.js';
export { redisStore } from './redis-store.js';
