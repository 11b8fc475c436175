// `@cachewise/http/express`: per-route middleware. Types are structural (Node's request
// and response plus what Express adds), so this module needs neither express nor its
// type package at run time or in its declarations.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Cache } from '@cachewise/core';
import { checkCache } from './check-cache.js';
import { type HttpCacheOptions, resolveHttpOptions } from './options.js';
import { bodyBytes, type CacheOutcome, conditionalHeaders, type Outgoing, outgoing, type Served } from './response.js';
import { type Fill, RouteCache } from './route-cache.js';

/** The parts of an Express request the middleware and a `tags` function use. */
export interface ExpressCacheRequest extends IncomingMessage {
  /** Route parameters; Express 5 gives a wildcard's as an array. */
  params: Record<string, string | string[]>;
  originalUrl: string;
  body?: unknown;
}

/** Options of {@link expressCache}; `tags` may be a function of the Express request. */
export type ExpressCacheOptions = HttpCacheOptions<ExpressCacheRequest>;

/** Express middleware, typed without Express. */
export type ExpressCacheMiddleware = (
  request: ExpressCacheRequest,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/**
 * Caches the responses of one route: put it before the route's handler. GET and HEAD by
 * default; see `docs/http.md` for the key, the headers sent and what is never stored.
 *
 * @example
 * app.get('/users/:id', expressCache(cache, { ttl: '30s', tags: (req) => [`user:${req.params.id}`] }), handler);
 */
export function expressCache(cache: Cache, options: ExpressCacheOptions = {}): ExpressCacheMiddleware {
  checkCache(cache, 'expressCache');
  const route = new RouteCache(cache, resolveHttpOptions<ExpressCacheRequest>(options, 'expressCache'));
  return (request, response, next) => {
    handle(route, request, response, next).catch(next);
  };
}

async function handle(
  route: RouteCache<ExpressCacheRequest>,
  request: ExpressCacheRequest,
  response: ServerResponse,
  next: (error?: unknown) => void,
): Promise<void> {
  const plan = route.plan(request, {
    method: request.method ?? 'GET',
    url: request.originalUrl ?? request.url ?? '/',
    headers: request.headers,
    body: request.body,
  });
  if (plan === undefined) return next();
  const conditional = conditionalHeaders(request.headers);
  const hit = await route.lookup(plan);
  if (hit !== undefined) return send(response, hit, 'HIT', plan.method, conditional, route);
  const fill: Fill = await route.fill(plan);
  if (fill.kind === 'shared') return send(response, fill.served, fill.outcome, plan.method, conditional, route);
  response.setHeader('x-cache', 'MISS');
  if (fill.kind === 'run') {
    // The handler answers in full; the cache answers conditionals itself, from the stored
    // bytes' ETag (Express's own check would compare its weak ETag instead).
    delete request.headers['if-none-match'];
    delete request.headers['if-modified-since'];
    capture(response, fill.complete, plan.method, conditional, route);
  }
  next();
}

function send(
  response: ServerResponse,
  served: Served,
  outcome: CacheOutcome,
  method: string,
  conditional: IncomingHttpHeaders,
  route: RouteCache<ExpressCacheRequest>,
): void {
  write(response, outgoing(served, outcome, method, conditional, route.options));
}

function write(response: ServerResponse, out: Outgoing): void {
  response.statusCode = out.status;
  for (const [name, value] of Object.entries(out.headers)) response.setHeader(name, value);
  if (out.status === 304) response.removeHeader('content-type');
  response.end(
    out.body === undefined ? undefined : Buffer.from(out.body.buffer, out.body.byteOffset, out.body.byteLength),
  );
}

type End = ServerResponse['end'];

/**
 * Holds the response a handler ends in one piece (`res.send`, `res.json`, `res.end`)
 * until it is stored, to send it with its ETag and caching headers. A handler that
 * writes in parts (a stream) or sends its head itself passes through as it writes,
 * uncached: nothing is buffered.
 */
function capture(
  response: ServerResponse,
  complete: (captured: Parameters<Extract<Fill, { kind: 'run' }>['complete']>[0]) => Promise<Served | undefined>,
  method: string,
  conditional: IncomingHttpHeaders,
  route: RouteCache<ExpressCacheRequest>,
): void {
  const { write: originalWrite, end: originalEnd, writeHead: originalWriteHead } = response;
  let settled = false;
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    response.write = originalWrite;
    response.end = originalEnd;
    response.writeHead = originalWriteHead;
    return true;
  };
  const passThrough = (): void => {
    if (settle()) void complete(undefined);
  };
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    passThrough();
    return (originalWriteHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  response.write = function (this: ServerResponse, ...args: unknown[]) {
    passThrough();
    return (originalWrite as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  response.end = function (this: ServerResponse, ...args: unknown[]) {
    if (!settle()) return (originalEnd as (...a: unknown[]) => ServerResponse).apply(this, args);
    const chunk = typeof args[0] === 'function' ? undefined : args[0];
    const encoding = typeof args[1] === 'string' ? (args[1] as BufferEncoding) : undefined;
    const body = bodyBytes(chunk, encoding, route.options.maxBodyBytes);
    const sendAsIs = () => (originalEnd as (...a: unknown[]) => ServerResponse).apply(response, args);
    const captured =
      body === undefined ? undefined : { status: response.statusCode, headers: response.getHeaders(), body };
    complete(captured).then(
      (served) => {
        if (served === undefined) return void sendAsIs();
        write(response, outgoing(served, 'MISS', method, conditional, route.options));
      },
      // Reads and writes fail open in core; should anything else fail, the handler's response still goes out.
      () => void sendAsIs(),
    );
    return this;
  } as End;
  // A request dropped before its response: let requests waiting on it run their own handlers.
  response.once('close', passThrough);
}
