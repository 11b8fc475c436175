import { client } from '../redis-client.js';

// #region create
import { createCache, tiered } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { redisBus, redisStore } from '@cachewise/redis';

const cache = createCache({
  store: tiered({
    l1: memoryStore({ maxEntries: 50_000 }),
    l2: redisStore({ client }),
    bus: redisBus({ client }),
    l1Ttl: '30s',
  }),
});
// #endregion create

export { cache };
