/**
 * `@cachewise/http`: full-response caching on a cachewise cache. The middleware is in
 * `@cachewise/http/fastify` (`fastifyCache`) and `@cachewise/http/express`
 * (`expressCache`); this entry holds what both share.
 *
 * @example
 * import type { HttpCacheOptions } from '@cachewise/http';
 *
 * @module main
 */
export { KEY_PREFIX } from './key.js';
export type { CacheableMethod, HttpCacheOptions } from './options.js';
export { DEFAULT_MAX_BODY_BYTES } from './options.js';
