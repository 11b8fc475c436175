import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { client } from '../redis-client.js';

// #region options
const cache = createCache({
  store: redisStore({ client }),
  storeTimeout: '100ms', // default '1s'
  circuitBreaker: { failures: 5, cooldown: '5s' }, // the default; or false
});
// #endregion options

export { cache };
