// Compiled, not run: the Redis setup of docs/migrate/type-cacheable.md.
import { client } from '../redis-client.js';

// #region setup
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';

// was: cacheManager.setClient(useIoRedisAdapter(client)), with ttlSeconds: 60 as the default
const cache = createCache({
  store: redisStore({ client }),
  namespace: 'shop',
  ttl: '1m', // a number is milliseconds: 60 seconds is '1m' or 60_000
});
// #endregion setup

export { cache };
