// Compiled, not run: it names hosts that do not exist here.
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { Redis } from 'ioredis';

// #region sentinel
const client = new Redis({
  sentinels: [
    { host: 'sentinel-1', port: 26379 },
    { host: 'sentinel-2', port: 26379 },
  ],
  name: 'mymaster',
});
const cache = createCache({ store: redisStore({ client }) });
// #endregion sentinel

export { cache };
