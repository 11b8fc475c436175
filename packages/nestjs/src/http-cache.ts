// The per-route settings of CachewiseInterceptor, kept on the controller or handler.
import type { Duration } from '@cachewise/core';
import type { HttpCacheOptions } from '@cachewise/http';
import { resolveHttpOptions } from '@cachewise/http/adapter';

const HTTP_CACHE = Symbol.for('cachewise:nestjs:http-cache');

/**
 * The options of a cached route: `@cachewise/http`'s (`ttl`, `tags`, `vary`, `methods`,
 * `public`, `staleWhileRevalidate`, `statuses`, `maxBodyBytes`). A `tags` function gets
 * the adapter's request (Express's `req` or Fastify's `request`).
 */
// biome-ignore lint/suspicious/noExplicitAny: the request is the adapter's (Express or Fastify)
export type HttpCacheRouteOptions = HttpCacheOptions<any>;

function store(where: string, options: HttpCacheRouteOptions): ClassDecorator & MethodDecorator {
  // Checked when decorating: a bad option fails at startup, never at the first request.
  resolveHttpOptions(options, where);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as Record<symbol, HttpCacheRouteOptions | undefined>;
    const previous = Object.hasOwn(holder, HTTP_CACHE) ? holder[HTTP_CACHE] : undefined;
    Object.defineProperty(holder, HTTP_CACHE, { value: { ...previous, ...options }, configurable: true });
  };
}

/**
 * Options of the responses `CachewiseInterceptor` caches for a handler, or every handler
 * of a controller (a handler's own options win, option by option).
 *
 * @example
 * @Get(':id') @HttpCache({ ttl: '30s', vary: ['accept-language'] }) find(@Param('id') id: string) { ... }
 */
export function HttpCache(options: HttpCacheRouteOptions): ClassDecorator & MethodDecorator {
  return store('@HttpCache', options);
}

/**
 * How long `CachewiseInterceptor` keeps the responses of a handler or controller (like
 * `@nestjs/cache-manager`'s `@CacheTTL`, but a duration: `'30s'`, or milliseconds).
 *
 * @example
 * @Get() @CacheTTL('30s') list() { ... }
 */
export function CacheTTL(ttl: Duration): ClassDecorator & MethodDecorator {
  return store('@CacheTTL', { ttl });
}

/**
 * Tags of the responses `CachewiseInterceptor` stores for a handler or controller: a list,
 * or a function of the request. `cache.invalidateTags([...])` drops them.
 *
 * @example
 * @Get(':id') @CacheTags((req) => [`user:${req.params.id}`]) find(@Param('id') id: string) { ... }
 */
export function CacheTags(tags: HttpCacheRouteOptions['tags'] & {}): ClassDecorator & MethodDecorator {
  return store('@CacheTags', { tags });
}

/** @internal The options of a handler: its controller's, then its own. */
export function routeOptionsOf(controller: Function, handler: Function): HttpCacheRouteOptions {
  const own = (holder: object): HttpCacheRouteOptions | undefined =>
    Object.hasOwn(holder, HTTP_CACHE) ? (holder as Record<symbol, HttpCacheRouteOptions>)[HTTP_CACHE] : undefined;
  return { ...own(controller), ...own(handler) };
}
