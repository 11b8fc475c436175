// #region create
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

const cache = createCache({
  store: memoryStore({ maxEntries: 10_000 }),
  namespace: 'shop',
  ttl: '5m',
});
// #endregion create
export { cache };
