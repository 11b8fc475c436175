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
 * Options per route come from `@HttpCache`, `@CacheTTL` and `@CacheTags`.
 *
 * @example
 * @Controller('users') @UseInterceptors(CachewiseInterceptor)
 * class UsersController { @Get(':id') @CacheTTL('30s') find(@Param('id') id: string) { ... } }
 */
@Injectable()
export class CachewiseInterceptor implements NestInterceptor {
  readonly #routes = new WeakMap<Function, RouteCache<AnyRequest>>();
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
    const served = await fill.complete(this.#capture(value, response, route.options.maxBodyBytes));
    if (served === undefined) return value;
    return send(outgoing(served, 'MISS', plan.method, conditional, route.options));
  }

  /** The response Nest would send for `value`, as bytes; undefined for a stream or an empty body. */
  #capture(value: unknown, response: AnyResponse, maxBodyBytes: number): CapturedResponse | undefined {
    let body: Uint8Array;
    let type: string;
    if (value === undefined || value === null) return undefined;
    if (value instanceof StreamableFile || value instanceof Response || isStream(value)) return undefined;
    if (typeof value === 'string') {
      body = Buffer.from(value, 'utf8');
      // What each adapter sends a string as.
      type = this.#adapter === 'fastify' ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8';
    } else if (value instanceof Uint8Array) {
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

  #route(context: ExecutionContext): RouteCache<AnyRequest> {
    const handler = context.getHandler();
    let route = this.#routes.get(handler);
    if (route === undefined) {
      const controller = context.getClass();
      const where = `CachewiseInterceptor on ${controller.name}.${handler.name}`;
      route = new RouteCache(this.cache, resolveHttpOptions<AnyRequest>(routeOptionsOf(controller, handler), where));
      this.#routes.set(handler, route);
    }
    return route;
  }
}

/** One interceptor class per cache name, so Nest sees the same class wherever it is used. */
const namedInterceptors = new Map<string, Type<CachewiseInterceptor>>();

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
