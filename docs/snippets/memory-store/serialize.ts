import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

// #region serialize
const cache = createCache({ store: memoryStore({ serialize: true }) });
// #endregion serialize

export { cache };
