// Compiled, not run here: docs/tiered.md's tests run tiered stores on Redis.
import { client } from '../redis-client.js';

// #region tiered
// was: createCache({ stores: [new Keyv({ store: new CacheableMemory() }), new Keyv({ store: new KeyvRedis(url) })] })
import { createCache, tiered } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { redisBus, redisStore } from '@cachewise/redis';

const cache = createCache({
  store: tiered({ l1: memoryStore(), l2: redisStore({ client }), bus: redisBus({ client }) }),
  ttl: '5m',
});
// #endregion tiered

export { cache };
