// `@cachewise/http/fastify`: a plugin that caches the routes that opt in through
// `config: { cache: … }`. Fastify is needed for its types only; nothing is imported from
// it at run time.
import type { IncomingHttpHeaders } from 'node:http';
import type { Cache } from '@cachewise/core';
import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  onSendHookHandler,
  preHandlerHookHandler,
  RouteOptions,
} from 'fastify';
import { checkCache } from './check-cache.js';
import { type HttpCacheOptions, type ResolvedHttpOptions, resolveHttpOptions } from './options.js';
import { bodyBytes, type CacheOutcome, conditionalHeaders, outgoing, type Served } from './response.js';
import { type Fill, RouteCache } from './route-cache.js';

/** The request a Fastify route's `tags` function receives. */
export type FastifyCacheRequest = FastifyRequest<{
  Params: Record<string, string>;
  Querystring: Record<string, string>;
}>;

/** The plugin's defaults, and a route's `config.cache` (which overrides them). */
export type FastifyCacheOptions = HttpCacheOptions<FastifyCacheRequest>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `@cachewise/http`: cache this route's responses (`true`: with the plugin's defaults). */
    cache?: FastifyCacheOptions | boolean;
  }
}

type Complete = Extract<Fill, { kind: 'run' }>['complete'];

interface Pending {
  readonly complete: Complete;
  readonly method: string;
  readonly conditional: IncomingHttpHeaders;
}

// Marks the hooks this plugin adds, so a route is never given them twice (Fastify's
// HEAD twin of a GET route is built from the GET route's options).
const OURS = Symbol('cachewise.http');

/**
 * A Fastify plugin: routes with `config: { cache: { ttl, tags, … } }` (or `cache: true`)
 * are answered from `cache`, with `defaults` for what a route leaves out. Register it
 * before the routes. See `docs/http.md`.
 *
 * @example
 * app.register(fastifyCache(cache, { ttl: '1m' }));
 * app.get('/users/:id', { config: { cache: { ttl: '30s', tags: (req) => [`user:${req.params.id}`] } } }, handler);
 */
export function fastifyCache(cache: Cache, defaults: FastifyCacheOptions = {}): FastifyPluginAsync {
  checkCache(cache, 'fastifyCache');
  const base = resolveHttpOptions<FastifyCacheRequest>(defaults, 'fastifyCache');
  // Per plugin instance: the requests whose responses are being captured.
  const pending = new WeakMap<FastifyRequest, Pending>();
  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRoute', (route: RouteOptions) => {
      const config = route.config?.cache;
      if (config === undefined || config === false) return;
      if (toArray(route.preHandler).some((hook) => OURS in hook)) return;
      const where = `fastifyCache: route ${[route.method].flat().join(',')} ${route.url}: \`config.cache\``;
      const options: ResolvedHttpOptions<FastifyCacheRequest> =
        config === true ? base : resolveHttpOptions<FastifyCacheRequest>(config, where, base);
      const routeCache = new RouteCache(cache, options);
      route.preHandler = [...toArray(route.preHandler), mark(preHandler(routeCache, pending))];
      route.onSend = [...toArray(route.onSend), mark(onSend(routeCache, pending))];
    });
  };
  // What fastify-plugin sets: the hooks apply to every route, not only to the plugin's scope.
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@cachewise/http',
  });
  return plugin;
}

function preHandler(route: RouteCache<FastifyCacheRequest>, pending: WeakMap<FastifyRequest, Pending>) {
  return async function cachewisePreHandler(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply | undefined> {
    const typed = request as FastifyCacheRequest;
    const plan = route.plan(typed, {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
    });
    if (plan === undefined) return undefined;
    const conditional = conditionalHeaders(request.headers);
    const hit = await route.lookup(plan);
    if (hit !== undefined) return send(reply, hit, 'HIT', plan.method, conditional, route);
    const fill = await route.fill(plan);
    if (fill.kind === 'shared') return send(reply, fill.served, fill.outcome, plan.method, conditional, route);
    reply.header('x-cache', 'MISS');
    if (fill.kind === 'run') {
      pending.set(request, { complete: fill.complete, method: plan.method, conditional });
      // A request dropped before its response: let requests waiting on it run their own handlers.
      reply.raw.once('close', () => void fill.complete(undefined));
    }
    return undefined;
  } as preHandlerHookHandler;
}

function onSend(route: RouteCache<FastifyCacheRequest>, pending: WeakMap<FastifyRequest, Pending>) {
  return async function cachewiseOnSend(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const waiting = pending.get(request);
    if (waiting === undefined) return payload;
    pending.delete(request);
    // A stream (or anything but one string or buffer) passes through uncached, unread.
    const body = bodyBytes(payload, undefined, route.options.maxBodyBytes);
    const served = await waiting.complete(
      body === undefined ? undefined : { status: reply.statusCode, headers: reply.getHeaders(), body },
    );
    if (served === undefined) return payload;
    const out = outgoing(served, 'MISS', waiting.method, waiting.conditional, route.options);
    reply.code(out.status).headers(out.headers);
    if (out.body === undefined) {
      reply.removeHeader('content-type');
      reply.removeHeader('content-length');
      return null;
    }
    return payload;
  } as onSendHookHandler;
}

function send(
  reply: FastifyReply,
  served: Served,
  outcome: CacheOutcome,
  method: string,
  conditional: IncomingHttpHeaders,
  route: RouteCache<FastifyCacheRequest>,
): FastifyReply {
  const out = outgoing(served, outcome, method, conditional, route.options);
  reply.code(out.status).headers(out.headers);
  if (out.body === undefined) return reply.send();
  return reply.send(Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength));
}

function toArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

function mark<T extends object>(hook: T): T {
  return Object.assign(hook, { [OURS]: true });
}
