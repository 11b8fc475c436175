// Compiled, not run: it names hosts that do not exist here.
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';

// #region cluster
import { Cluster } from 'ioredis';

const client = new Cluster([
  { host: 'redis-1', port: 6379 },
  { host: 'redis-2', port: 6379 },
]);
const cache = createCache({ store: redisStore({ client }) });
// #endregion cluster

export { cache };
