/**
 * `@cachewise/http/adapter`: the framework-free part of a cached route, for integrations
 * with other frameworks (`@cachewise/nestjs` builds its interceptor on it). Applications
 * use `@cachewise/http/fastify` or `@cachewise/http/express` instead.
 *
 * @example
 * const route = new RouteCache(cache, resolveHttpOptions({ ttl: '30s' }, 'myAdapter'));
 * const plan = route.plan(request, { method, url, headers, body });
 */

export { checkCache } from './check-cache.js';
export type { ResolvedHttpOptions } from './options.js';
export { resolveHttpOptions } from './options.js';
export type { CacheOutcome, CapturedResponse, Outgoing, Served, StoredResponse } from './response.js';
export { bodyBytes, conditionalHeaders, outgoing } from './response.js';
export type { Fill, Plan, RequestInfo } from './route-cache.js';
export { RouteCache } from './route-cache.js';
