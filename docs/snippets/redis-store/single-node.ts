// #region single-node
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { Redis } from 'ioredis';

const client = new Redis(process.env.REDIS_URL!, {
  enableOfflineQueue: false, // while disconnected, reads fail open at once instead of queueing
  maxRetriesPerRequest: 1,
  commandTimeout: 500, // ms: a slow answer becomes an error, and the call fails open
});

const cache = createCache({ store: redisStore({ client }), namespace: 'shop', ttl: '5m' });
// #endregion single-node

export { cache, client };
