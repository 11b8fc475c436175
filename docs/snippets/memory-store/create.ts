// #region create
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

const cache = createCache({ store: memoryStore({ maxEntries: 10_000 }), namespace: 'shop' });
// #endregion create

export { cache };
