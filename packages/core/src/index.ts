export { createCache, setDefaultCache, getDefaultCache, Cache } from './cache.js';
export type { WrapOptions, SetOptions, InvalidateOptions, CacheEntryInfo, EntryRef } from './cache.js';
export type { CacheOptions } from './options.js';
export { Cached, cached, cachedIn, methodKey } from './decorators/cached.js';
export type { CachedOptions, CachedFunctionOptions, CachedFunction } from './decorators/cached.js';
export { Invalidates } from './decorators/invalidates.js';
export type { InvalidatesOptions } from './decorators/invalidates.js';
export { CacheConfig } from './decorators/cache-config.js';
export type { CacheConfigOptions, CacheSource } from './decorators/cache-config.js';
export type { UniversalMethodDecorator, UniversalClassDecorator } from './decorators/universal-decorator.js';
export { parseDuration } from './duration.js';
export type { Duration } from './duration.js';
export { createJsonSerializer, jsonSerializer } from './serializer.js';
export type { JsonSerializerOptions, SerializableClass, Serializer } from './serializer.js';
// The Store contract is in `@cachewise/core/store`; only the names an application writes
// in its own code (a store option's type, an invalidation mode) are here too.
export type { Store, InvalidationMode } from './store.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export type { CacheStats, CounterSnapshot } from './stats.js';
export type { CacheEventMap, CacheEventName, CacheListener, CacheErrorKind } from './events.js';
export {
  CacheError, CacheOptionsError, KeyDerivationError, SerializationError, DecodeError, NoCacheConfiguredError, StoreError,
  isCacheError, isCacheOptionsError, isKeyDerivationError, isSerializationError, isNoCacheConfiguredError,
  isDecodeError, isStoreError,
} from './errors.js';
export type { CacheErrorCode } from './errors.js';
