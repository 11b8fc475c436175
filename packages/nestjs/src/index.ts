/**
 * `@cachewise/nestjs`: cachewise caches as NestJS providers. `CachewiseModule.forRoot()`
 * registers a cache; the `@Cached` and `@Invalidates` methods of the application's
 * providers use it through dependency injection; `CachewiseInterceptor` caches whole HTTP
 * responses on it (Express and Fastify).
 *
 * @example
 * import { CachewiseModule } from '@cachewise/nestjs';
 */
export { CachewiseModule } from './cachewise.module.js';
export type { HttpCacheRouteOptions } from './http-cache.js';
export { CacheTags, CacheTTL, HttpCache } from './http-cache.js';
export { CachewiseInterceptor } from './interceptor.js';
export type {
  CachewiseCacheOptions,
  CachewiseModuleAsyncOptions,
  CachewiseModuleOptions,
  CachewiseRegistration,
} from './options.js';
export { DEFAULT_CACHE_NAME, getCacheToken, InjectCache, UseCache } from './tokens.js';
