/**
 * The application API: `createCache` and the `Cache`, the decorators, `cached()`, `tiered()`,
 * errors and their guards, serializers, and the types they use.
 *
 * @module main
 */
export type { BreakerState } from './breaker.js';
export type { Bus, BusHandlers } from './bus.js';
export { Cache, createCache, getDefaultCache, setDefaultCache } from './cache.js';
export type {
  CacheEntryInfo,
  DeleteOptions,
  EntryRef,
  InvalidateOptions,
  SetOptions,
  UnreachableOptions,
  WrapOptions,
} from './cache-options.js';
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export type { CacheConfigOptions, CacheSource } from './decorators/cache-config.js';
export { bindCache, CacheConfig } from './decorators/cache-config.js';
export type { CachedFunction, CachedFunctionOptions, CachedOptions } from './decorators/cached.js';
export { Cached, cached, cachedIn, methodKey } from './decorators/cached.js';
export type { InvalidatesOptions } from './decorators/invalidates.js';
export { Invalidates } from './decorators/invalidates.js';
export { methodsWithoutCache } from './decorators/methods-without-cache.js';
export type { UniversalClassDecorator, UniversalMethodDecorator } from './decorators/universal-decorator.js';
export type { Duration } from './duration.js';
export { parseDuration } from './duration.js';
export type { CacheErrorCode, StoreErrorReason } from './errors.js';
export {
  CacheError,
  CacheOptionsError,
  DecodeError,
  isCacheError,
  isCacheOptionsError,
  isDecodeError,
  isKeyDerivationError,
  isNoCacheConfiguredError,
  isSerializationError,
  isStoreError,
  KeyDerivationError,
  NoCacheConfiguredError,
  SerializationError,
  StoreError,
} from './errors.js';
export type {
  CacheChannelMessage,
  CacheErrorKind,
  CacheEventMap,
  CacheEventName,
  CacheListener,
  LoadTraceContext,
  LockOutcome,
  StaleReason,
  StoreOperation,
  StoreTraceContext,
} from './events.js';
export { CACHE_CHANNELS, LOAD_TRACING_CHANNEL, STORE_TRACING_CHANNEL } from './events.js';
export type { FreshnessOptions } from './freshness.js';
export type { QueueOutcome, WhenUnreachable } from './invalidation-queue.js';
export type { CacheOptions, CircuitBreakerOptions } from './options.js';
export type { JsonSerializerOptions, SerializableClass, Serializer } from './serializer.js';
export { createJsonSerializer, jsonSerializer } from './serializer.js';
export type { StampedeLock, StampedeProtector } from './stampede.js';
export type { CacheStats, CounterSnapshot } from './stats.js';
// The Store contract is in `@cachewise/core/store`; only the names an application writes
// in its own code (a store option's type, an invalidation mode) are here too.
export type { InvalidationMode, Store } from './store.js';
export type { TieredOptions } from './tiered.js';
export { tiered } from './tiered.js';
export type { CacheLogger } from './warnings.js';
