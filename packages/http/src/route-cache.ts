// The framework-free part of a cached route: which requests use the cache, the lookup,
// and the fill of a miss through `cache.wrap`, which gives single flight (concurrent
// misses of one key run one handler) and no resurrection (a response whose load began
// before an invalidation of its tags is not stored after it).
import type { IncomingHttpHeaders } from 'node:http';
import type { Cache, WrapOptions } from '@cachewise/core';
import { bodyHash, requestKey } from './key.js';
import { type CacheableMethod, type ResolvedHttpOptions, tagsOf } from './options.js';
import {
  type CapturedResponse,
  type EntryTimes,
  isStoredResponse,
  type Served,
  type StoredResponse,
  toStored,
  whyNotStored,
} from './response.js';

/** What the adapters tell about a request. */
export interface RequestInfo {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed body (POST), if a body parser ran. */
  readonly body: unknown;
}

/** A request that uses the cache. */
export interface Plan {
  readonly method: CacheableMethod;
  readonly key: string;
  readonly tags: readonly string[] | undefined;
}

/**
 * The outcome of a miss: `shared` (another request's response, or one stored meanwhile),
 * `run` (this request runs its handler, then calls `complete` with what it produced, or
 * with undefined when the response cannot be captured: a stream, a dropped request), or
 * `bypass` (this request runs its handler, and its response is not stored).
 */
export type Fill =
  | { readonly kind: 'shared'; readonly served: Served; readonly outcome: 'HIT' | 'STALE' }
  | { readonly kind: 'run'; complete(captured: CapturedResponse | undefined): Promise<Served | undefined> }
  | { readonly kind: 'bypass' };

const BYPASS: Fill = { kind: 'bypass' };

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** One route's cache: its options, bound to a cache. */
export class RouteCache<Req> {
  readonly #wrapOptions: WrapOptions<StoredResponse | null>;

  constructor(
    readonly cache: Cache,
    readonly options: ResolvedHttpOptions<Req>,
  ) {
    // A route's `staleWhileRevalidate`: the request that finds its response stale runs the
    // handler (the loader is bound to that request: it cannot run in the background), and
    // requests that come meanwhile are sent the stale response (`revalidate: 'caller'`).
    this.#wrapOptions = {
      staleWhileRevalidate: options.swrSeconds * 1000,
      revalidate: 'caller',
      staleIfError: 0,
      earlyRefresh: false,
      unless: (response) => response === null,
      ...(options.ttlMs === undefined ? {} : { ttl: options.ttlMs }),
    };
  }

  /** The plan for a request, or undefined when it bypasses the cache. */
  plan(request: Req, info: RequestInfo): Plan | undefined {
    const method = info.method.toUpperCase() as CacheableMethod;
    if (!this.options.methods.has(method)) return undefined;
    // One user's answer must not reach another: credentials bypass unless the route is public.
    if (!this.options.public && info.headers.authorization !== undefined) return undefined;
    let hash: string | undefined;
    if (method === 'POST') {
      if (info.body !== undefined) hash = bodyHash(info.body);
      // A body nobody parsed cannot be keyed: such a POST bypasses the cache.
      else if (hasBody(info.headers)) return undefined;
    }
    const key = requestKey({
      method: method === 'HEAD' ? 'GET' : method,
      url: info.url,
      headers: info.headers,
      vary: this.options.vary,
      ...(hash === undefined ? {} : { bodyHash: hash }),
    });
    return { method, key, tags: tagsOf(this.options, request) };
  }

  /** The cached response of a plan, if fresh. */
  async lookup(plan: Plan): Promise<Served | undefined> {
    const entry = await this.cache.getEntry(plan.key);
    if (entry === undefined || !isStoredResponse(entry.value)) return undefined;
    return {
      stored: entry.value,
      times: { storedAt: entry.storedAt, expiresAt: entry.expiresAt, now: this.cache.clock.now() },
    };
  }

  /** After a missed lookup: who runs the handler. HEAD never fills (it has no body to store). */
  async fill(plan: Plan): Promise<Fill> {
    if (plan.method === 'HEAD') return BYPASS;
    const captured = deferred<StoredResponse | null>();
    const leading = deferred<void>();
    let leader = false;
    const options = plan.tags === undefined ? this.#wrapOptions : { ...this.#wrapOptions, tags: plan.tags };
    const startedAt = this.cache.clock.now();
    const loaded = this.cache.wrap(
      plan.key,
      () => {
        leader = true;
        leading.resolve();
        return captured.promise;
      },
      options,
    );
    const first = await Promise.race([leading.promise.then(() => undefined), loaded]);
    if (leader) return { kind: 'run', complete: once((response) => this.#complete(plan, response, captured, loaded)) };
    // Another request's response. One that could not be stored (a cookie, a stream, an
    // error) was for that request only: this one runs its own handler.
    if (!isStoredResponse(first)) return BYPASS;
    const times = await this.#timesOf(plan, first);
    if (times === undefined && this.#staleServed(first, startedAt)) {
      const now = this.cache.clock.now();
      const storedAt = first.producedAt ?? now;
      return { kind: 'shared', outcome: 'STALE', served: { stored: first, times: { storedAt, expiresAt: now, now } } };
    }
    return { kind: 'shared', outcome: 'HIT', served: { stored: first, times } };
  }

  /**
   * Whether a response shared with this request, and not the cache's fresh entry, is the
   * stale one: produced before this request asked, rather than by the handler it waited for.
   */
  #staleServed(stored: StoredResponse, startedAt: number): boolean {
    return this.options.swrSeconds > 0 && stored.producedAt !== undefined && stored.producedAt < startedAt;
  }

  async #complete(
    plan: Plan,
    response: CapturedResponse | undefined,
    captured: Deferred<StoredResponse | null>,
    loaded: Promise<unknown>,
  ): Promise<Served | undefined> {
    const stored =
      response !== undefined && whyNotStored(response, this.options) === undefined
        ? toStored(response, this.cache.clock.now())
        : null;
    captured.resolve(stored);
    await loaded;
    if (stored === null) return undefined;
    return { stored, times: await this.#timesOf(plan, stored) };
  }

  /** When `stored` was stored, if it is the cache's entry now (not when an invalidation raced it). */
  async #timesOf(plan: Plan, stored: StoredResponse): Promise<EntryTimes | undefined> {
    const entry = await this.cache.getEntry(plan.key);
    if (entry === undefined || !isStoredResponse(entry.value) || entry.value.etag !== stored.etag) return undefined;
    return { storedAt: entry.storedAt, expiresAt: entry.expiresAt, now: this.cache.clock.now() };
  }
}

function hasBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

/** `fn` called at most once; later calls get the first call's promise. */
function once<A, R>(fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let result: Promise<R> | undefined;
  return (arg) => {
    result ??= fn(arg);
    return result;
  };
}
