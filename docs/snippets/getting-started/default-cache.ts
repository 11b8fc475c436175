// #region default-cache
import { createCache, getDefaultCache, setDefaultCache } from '@cachewise/core';

const admin = createCache({ store: memoryStore(), namespace: 'admin', setAsDefault: true }); // takes over
setDefaultCache(cache); // or set it explicitly
setDefaultCache(undefined); // no default: decorated calls without a cache now reject
getDefaultCache(); // the current one, or undefined
// #endregion default-cache
import { memoryStore } from '@cachewise/memory';
import { cache } from './create-cache.js';

export { admin };
