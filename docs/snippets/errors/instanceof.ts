import { CacheError, createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

export function classify(): boolean[] {
  try {
    createCache({ store: memoryStore(), ttl: 'soon' as '5m' });
  } catch (error) {
    return [
      // #region instanceof
      error instanceof TypeError, // true
      error instanceof CacheError, // true
      // #endregion instanceof
    ];
  }
  return [];
}
