// The options and answers of the Cache API, apart from the class that implements them.
import type { Cache } from './cache.js';
import type { Duration } from './duration.js';
import type { FreshnessOptions } from './freshness.js';
import type { InvalidationMode } from './store.js';

/** Options of {@link Cache.wrap}; the stale-serving ones default to the cache's. */
export interface WrapOptions<T = unknown> extends FreshnessOptions {
  /**
   * Time to live of this entry; default the cache's `ttl`. A function of the loaded value
   * sets it per value, e.g. `(user) => (user === null ? '10s' : '5m')`.
   */
  ttl?: Duration | ((value: NoInfer<T>) => Duration);
  /** Tags to invalidate the entry by. */
  tags?: readonly string[];
  /**
   * More tags, known once the value is loaded (a tag per item of a list), added to `tags`.
   * Needs a store with `versionMark()` (the memory and Redis stores have it).
   */
  resultTags?: (value: NoInfer<T>) => readonly string[];
  /** Do not store results for which this returns true (they are still returned). */
  unless?: (value: T) => boolean;
  /** The label for `stats().byMethod`; default `'#wrap'`. */
  name?: string;
}

/** Options of {@link Cache.set}. */
export interface SetOptions {
  ttl?: Duration;
  tags?: readonly string[];
}

/** Options of {@link Cache.invalidateTags}. */
export interface InvalidateOptions {
  /**
   * `'delete'` (default): tagged entries are gone. `'expire'`: they are no longer fresh,
   * but a stale-tolerant read may still use them.
   */
  mode?: InvalidationMode;
}

/** What {@link Cache.getEntry} returns. */
export interface CacheEntryInfo<T = unknown> {
  readonly value: T;
  readonly storedAt: number;
  readonly expiresAt: number;
  /** The user's tags (without the namespace). */
  readonly tags: readonly string[];
  /** A strong validator: equal for equal values, on every server. */
  readonly etag: string;
}

/**
 * A reference to a cached method's entry by its arguments, made by `methodKey()` (or a
 * `cached()` function's `keyFor()`): lets `delete` and `@Invalidates({ keys })` name it
 * without knowing the key format.
 */
export interface EntryRef {
  /** The storage key of the entry in `cache`. */
  storageKey(cache: Cache): string;
}
