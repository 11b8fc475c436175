// Whole-response caching for Nest handlers, on @cachewise/http's rules: which requests use
// the cache, the key, single flight, what is never stored, ETag/304 and the headers sent.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Cache } from '@cachewise/core';
import {
  type CapturedResponse,
  checkCache,
  conditionalHeaders,
  type Outgoing,
  outgoing,
  type Plan,
  type RequestInfo,
  RouteCache,
  resolveHttpOptions,
} from '@cachewise/http/adapter';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  StreamableFile,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import { routeOptionsOf } from './http-cache.js';
import { checkName, getCacheToken } from './tokens.js';

/** What the interceptor reads of Express's and Fastify's requests and responses. */
interface AnyRequest {
  method?: string;
  originalUrl?: string;
  url?: string;
  raw?: { url?: string };
  headers: IncomingHttpHeaders;
  body?: unknown;
}
interface AnyResponse {
  statusCode: number;
  getHeaders(): OutgoingHttpHeaders;
}

/**
 * Caches the whole responses of Nest handlers (Express or Fastify) on the application's
 * unnamed cache, with `@cachewise/http`'s rules: GET and HEAD only unless `methods` says
 * otherwise, a strong ETag and 304 to conditional requests, `X-Cache: HIT|MISS|STALE`,
 * never a response with `Set-Cookie`, `Cache-Control: private|no-store|no-cache` or an
 * error status, and never a request with `Authorization` unless the route is `public`.
 * Options per route come from `@HttpCache`, `@CacheTTL` and `@CacheTags`. Handlers that
 * send the response themselves (`@Res()` without `passthrough`), redirect, render or send
 * events are left to Nest.
 *
 * @example
 * @Controller('users') @UseInterceptors(CachewiseInterceptor)
 * class UsersController { @Get(':id') @CacheTTL('30s') find(@Param('id') id: string) { ... } }
 */
@Injectable()
export class CachewiseInterceptor implements NestInterceptor {
  /** Each handler's route, or null for a handler that leaves the response to Nest or sends it itself. */
  readonly #routes = new WeakMap<Function, RouteCache<AnyRequest> | null>();
  readonly #adapter: 'express' | 'fastify' | string;

  constructor(
    @Inject(Cache) private readonly cache: Cache,
    @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost,
  ) {
    checkCache(cache, 'CachewiseInterceptor');
    this.#adapter = adapterHost.httpAdapter?.getType() ?? 'express';
  }

  /**
   * The interceptor on the cache named `name` (registered with `forRoot({ name })`)
   * instead of the unnamed one.
   *
   * @example
   * @UseInterceptors(CachewiseInterceptor.for('pages'))
   */
  static for(name: string): Type<CachewiseInterceptor> {
    checkName(name, 'CachewiseInterceptor.for: `name`');
    let named = namedInterceptors.get(name);
    if (named === undefined) {
      @Injectable()
      class NamedCachewiseInterceptor extends CachewiseInterceptor {
        constructor(@Inject(getCacheToken(name)) cache: Cache, @Inject(HttpAdapterHost) adapterHost: HttpAdapterHost) {
          super(cache, adapterHost);
        }
      }
      Object.defineProperty(NamedCachewiseInterceptor, 'name', { value: `CachewiseInterceptor(${name})` });
      named = NamedCachewiseInterceptor;
      namedInterceptors.set(name, named);
    }
    return named;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const route = this.#route(context);
    if (route === null) return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<AnyRequest>();
    const response = http.getResponse<AnyResponse>();
    const info: RequestInfo = {
      method: request.method ?? 'GET',
      url: request.originalUrl ?? request.raw?.url ?? request.url ?? '/',
      headers: request.headers,
      body: request.body,
    };
    const plan = route.plan(request, info);
    if (plan === undefined) return next.handle();
    // Applied twice on one cache (globally and on the controller, say), the inner one would
    // wait for the outer one's fill of the same key, which waits for it: the outer one serves.
    const serving = servingCaches.get(request);
    if (serving?.includes(this.cache)) return next.handle();
    if (serving === undefined) servingCaches.set(request, [this.cache]);
    else serving.push(this.cache);
    const conditional = conditionalHeaders(request.headers);
    return defer(() => this.#serve(route, plan, conditional, response, next));
  }

  async #serve(
    route: RouteCache<AnyRequest>,
    plan: Plan,
    conditional: IncomingHttpHeaders,
    response: AnyResponse,
    next: CallHandler,
  ): Promise<unknown> {
    const send = (out: Outgoing) => toWebResponse(out);
    const hit = await route.lookup(plan);
    if (hit !== undefined) return send(outgoing(hit, 'HIT', plan.method, conditional, route.options));
    const fill = await route.fill(plan);
    if (fill.kind === 'shared')
      return send(outgoing(fill.served, fill.outcome, plan.method, conditional, route.options));
    setHeader(response, 'x-cache', 'MISS');
    if (fill.kind === 'bypass') return lastValueFrom(next.handle(), { defaultValue: undefined });
    let value: unknown;
    try {
      value = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      // An error is never stored; requests waiting on this one run their own handlers.
      await fill.complete(undefined);
      throw error;
    }
    let captured: CapturedResponse | undefined;
    try {
      captured = this.#capture(value, response, route.options.maxBodyBytes);
    } catch {
      // A value JSON cannot encode (a BigInt, a cycle): Nest fails to send it as it would
      // without the interceptor, and requests waiting on this one run their own handlers.
      captured = undefined;
    }
    const served = await fill.complete(captured);
    if (served === undefined) return value;
    return send(outgoing(served, 'MISS', plan.method, conditional, route.options));
  }

  /**
   * The response Nest would send for `value`, as bytes; undefined for a stream or an empty
   * body. Throws for a value JSON cannot encode.
   */
  #capture(value: unknown, response: AnyResponse, maxBodyBytes: number): CapturedResponse | undefined {
    let body: Uint8Array;
    let type: string;
    if (value === undefined || value === null) return undefined;
    if (value instanceof StreamableFile || value instanceof Response || isStream(value)) return undefined;
    if (this.#adapter === 'fastify' ? typeof value === 'string' : typeof value !== 'object') {
      // Express sends every value but an object (a Buffer is one) as a string, Fastify a string.
      body = Buffer.from(String(value), 'utf8');
      type = this.#adapter === 'fastify' ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8';
    } else if (this.#adapter === 'fastify' && value instanceof Uint8Array) {
      body = value;
      type = 'application/octet-stream';
    } else {
      body = Buffer.from(JSON.stringify(value), 'utf8');
      type = 'application/json; charset=utf-8';
    }
    if (body.byteLength > maxBodyBytes) return undefined;
    const headers = { ...response.getHeaders() };
    headers['content-type'] ??= type;
    return { status: response.statusCode, headers, body };
  }

  #route(context: ExecutionContext): RouteCache<AnyRequest> | null {
    const handler = context.getHandler();
    let route = this.#routes.get(handler);
    if (route === undefined) {
      const controller = context.getClass();
      const where = `CachewiseInterceptor on ${controller.name}.${handler.name}`;
      const options = resolveHttpOptions<AnyRequest>(routeOptionsOf(controller, handler), where);
      route = nestSendsOtherwise(controller, handler) ? null : new RouteCache(this.cache, options);
      this.#routes.set(handler, route);
    }
    return route;
  }
}

/** One interceptor class per cache name, so Nest sees the same class wherever it is used. */
const namedInterceptors = new Map<string, Type<CachewiseInterceptor>>();

/** The caches whose interceptors serve a request, to tell when one is applied twice. */
const servingCaches = new WeakMap<object, Cache[]>();

// Nest's metadata keys and the RouteParamtypes of @Res() and @Next() (@nestjs/common's
// constants and enum, not part of its public entry).
const REDIRECT_METADATA = '__redirect__';
const RENDER_METADATA = '__renderTemplate__';
const SSE_METADATA = '__sse__';
const ROUTE_ARGS_METADATA = '__routeArguments__';
const RESPONSE_PASSTHROUGH_METADATA = '__responsePassthrough__';
const RESPONSE_PARAM = 1;
const NEXT_PARAM = 2;

/**
 * Whether Nest does something else than send the handler's value: a redirect, a template,
 * server-sent events, or a handler that sends the response itself (`@Res()` or `@Next()`
 * without `passthrough`). A response stored for those would be replayed wrong, or never sent.
 */
function nestSendsOtherwise(controller: Function, handler: Function): boolean {
  if ([REDIRECT_METADATA, RENDER_METADATA, SSE_METADATA].some((key) => Reflect.getMetadata(key, handler))) return true;
  const args: Record<string, unknown> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler.name) ?? {};
  const sendsItself = Object.keys(args).some((key) => {
    const type = Number(key.split(':')[0]);
    return type === RESPONSE_PARAM || type === NEXT_PARAM;
  });
  return sendsItself && Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, handler.name) !== true;
}

/** Sets a header on Express's response (`setHeader`) or Fastify's reply (`header`). */
function setHeader(response: AnyResponse, name: string, value: string): void {
  const target = response as unknown as {
    header?: (n: string, v: string) => unknown;
    setHeader?: (n: string, v: string) => unknown;
  };
  if (typeof target.setHeader === 'function') target.setHeader(name, value);
  else target.header?.(name, value);
}

function isStream(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as { pipe?: unknown }).pipe === 'function' ||
      typeof (value as { getReader?: unknown }).getReader === 'function' ||
      Symbol.asyncIterator in value)
  );
}

function toWebResponse(out: Outgoing): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(out.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return new Response(out.body === undefined ? null : out.body, { status: out.status, headers });
}
