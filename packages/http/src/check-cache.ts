import { type Cache, CacheOptionsError } from '@cachewise/core';
import { describeValue } from '@cachewise/core/store';

/** Refuses a first argument that is not a cache made by createCache(). */
export function checkCache(cache: unknown, where: string): asserts cache is Cache {
  const candidate = cache as Partial<Cache> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.wrap !== 'function' ||
    typeof candidate.getEntry !== 'function' ||
    typeof candidate.clock?.now !== 'function'
  ) {
    throw new CacheOptionsError(
      `${where}: the first argument must be a cache made by createCache(); got ${describeValue(cache)}`,
    );
  }
}
