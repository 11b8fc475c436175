// The options of fastifyCache and expressCache, validated once, up front: each bad value
// is a CacheOptionsError that names the option and says what would be valid.
import { CacheOptionsError, type Duration, parseDuration } from '@cachewise/core';
import { describeValue, rejectUnknownOptions } from '@cachewise/core/store';

/** The request methods whose responses can be cached. */
export type CacheableMethod = 'GET' | 'HEAD' | 'POST';

/**
 * What a route caches and how, shared by `fastifyCache` and `expressCache`. `Req` is the
 * framework's request, as `tags` receives it.
 */
export interface HttpCacheOptions<Req = unknown> {
  /** How long a response stays fresh; default the cache's `ttl`. Sent as `max-age` (the time left). */
  ttl?: Duration;
  /** Tags of the stored response, for `invalidateTags` and `@Invalidates`: a list, or a function of the request. */
  tags?: readonly string[] | ((request: Req) => readonly string[]);
  /**
   * Request headers whose values are part of the key (`Vary`), e.g. `['accept-language']`.
   * A response whose own `Vary` names a header not listed here is not stored.
   */
  vary?: readonly string[];
  /**
   * Methods answered from the cache. Default `['GET', 'HEAD']` (HEAD is answered from
   * GET's entry). `'POST'` only when a route asks: its key then holds the request body.
   */
  methods?: readonly CacheableMethod[];
  /**
   * `Cache-Control: public` instead of `private` (the default), and requests with an
   * `Authorization` header are cached too (never otherwise): say so only for responses
   * that are the same for every user.
   */
  public?: boolean;
  /**
   * Past the TTL, for this long, the response is sent stale (`X-Cache: STALE`) to requests
   * that come while one request's handler refreshes it; also sent as
   * `stale-while-revalidate=N` in `Cache-Control`, for browsers and CDNs. Default: off.
   */
  staleWhileRevalidate?: Duration;
  /** Statuses that are stored; default every 2xx but 206. */
  statuses?: readonly number[];
  /** Bodies larger than this (bytes) pass through uncached; default 1 MiB. */
  maxBodyBytes?: number;
}

/** The options after validation. */
export interface ResolvedHttpOptions<Req = unknown> {
  readonly ttlMs: number | undefined;
  readonly tags: ((request: Req) => readonly string[]) | readonly string[] | undefined;
  /** Lower-cased header names. */
  readonly vary: readonly string[];
  readonly methods: ReadonlySet<CacheableMethod>;
  readonly public: boolean;
  readonly swrSeconds: number;
  /** undefined: every 2xx but 206. */
  readonly statuses: ReadonlySet<number> | undefined;
  readonly maxBodyBytes: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const METHODS: readonly CacheableMethod[] = ['GET', 'HEAD', 'POST'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const KNOWN: { [K in keyof Required<HttpCacheOptions>]: true } = {
  ttl: true,
  tags: true,
  vary: true,
  methods: true,
  public: true,
  staleWhileRevalidate: true,
  statuses: true,
  maxBodyBytes: true,
};

/** Validates `options` (each one defaulting to `defaults`'s), naming the bad option after `where`. */
export function resolveHttpOptions<Req>(
  options: unknown,
  where: string,
  defaults?: ResolvedHttpOptions<Req>,
): ResolvedHttpOptions<Req> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheOptionsError(`${where}: options must be an object; got ${describeValue(options)}`);
  }
  rejectUnknownOptions(where, options, KNOWN);
  const o = options as HttpCacheOptions<Req>;
  return {
    ttlMs: o.ttl === undefined ? defaults?.ttlMs : parseDuration(o.ttl, `${where}: \`ttl\``),
    tags: o.tags === undefined ? defaults?.tags : checkTags(o.tags, where),
    vary: o.vary === undefined ? (defaults?.vary ?? []) : checkVary(o.vary, where),
    methods: o.methods === undefined ? (defaults?.methods ?? new Set(['GET', 'HEAD'])) : checkMethods(o.methods, where),
    public: o.public === undefined ? (defaults?.public ?? false) : checkBoolean(o.public, `${where}: \`public\``),
    swrSeconds:
      o.staleWhileRevalidate === undefined
        ? (defaults?.swrSeconds ?? 0)
        : Math.floor(
            parseDuration(o.staleWhileRevalidate, `${where}: \`staleWhileRevalidate\``, { allowZero: true }) / 1000,
          ),
    statuses: o.statuses === undefined ? defaults?.statuses : checkStatuses(o.statuses, where),
    maxBodyBytes:
      o.maxBodyBytes === undefined
        ? (defaults?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
        : checkMaxBodyBytes(o.maxBodyBytes, where),
  };
}

function checkTags<Req>(tags: unknown, where: string): ResolvedHttpOptions<Req>['tags'] {
  if (typeof tags === 'function') return tags as (request: Req) => readonly string[];
  if (Array.isArray(tags) && tags.every((tag) => typeof tag === 'string' && tag.length > 0)) {
    return Object.freeze([...tags]) as readonly string[];
  }
  throw new CacheOptionsError(
    `${where}: \`tags\` must be an array of non-empty strings or a function of the request returning one; got ${describeValue(tags)}`,
  );
}

function checkVary(vary: unknown, where: string): readonly string[] {
  if (!Array.isArray(vary) || !vary.every((name) => typeof name === 'string' && TOKEN.test(name))) {
    throw new CacheOptionsError(
      `${where}: \`vary\` must be an array of request header names, e.g. ['accept-language']; got ${describeValue(vary)}`,
    );
  }
  const names = vary.map((name: string) => name.toLowerCase());
  if (names.includes('*') || new Set(names).size !== names.length) {
    throw new CacheOptionsError(`${where}: \`vary\` must name each header once, and not '*'; got ${vary.join(', ')}`);
  }
  return Object.freeze(names);
}

function checkMethods(methods: unknown, where: string): ReadonlySet<CacheableMethod> {
  if (
    !Array.isArray(methods) ||
    methods.length === 0 ||
    !methods.every((method) => METHODS.includes(method as CacheableMethod))
  ) {
    throw new CacheOptionsError(
      `${where}: \`methods\` must be a non-empty array of 'GET', 'HEAD' and 'POST'; got ${
        Array.isArray(methods) ? JSON.stringify(methods) : describeValue(methods)
      }`,
    );
  }
  return new Set(methods as CacheableMethod[]);
}

function checkBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean')
    throw new CacheOptionsError(`${option} must be true or false; got ${describeValue(value)}`);
  return value;
}

function checkStatuses(statuses: unknown, where: string): ReadonlySet<number> {
  // 206 is a part of a body, 304 has none, 1xx are not final: none can be replayed.
  const valid = (status: unknown) =>
    Number.isInteger(status) &&
    (status as number) >= 200 &&
    (status as number) <= 599 &&
    status !== 206 &&
    status !== 304;
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every(valid)) {
    throw new CacheOptionsError(
      `${where}: \`statuses\` must be a non-empty array of status codes from 200 to 599 but 206 and 304, e.g. [200, 404]; got ${
        Array.isArray(statuses) ? JSON.stringify(statuses) : describeValue(statuses)
      }`,
    );
  }
  return new Set(statuses as number[]);
}

function checkMaxBodyBytes(value: unknown, where: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new CacheOptionsError(
      `${where}: \`maxBodyBytes\` must be a whole number of bytes, 0 or more (default ${DEFAULT_MAX_BODY_BYTES}); got ${describeValue(value)}`,
    );
  }
  return value as number;
}

/** The tags of a request's entry. A tags function that throws or returns a bad list is the caller's error. */
export function tagsOf<Req>(options: ResolvedHttpOptions<Req>, request: Req): readonly string[] | undefined {
  const tags = options.tags;
  return typeof tags === 'function' ? tags(request) : tags;
}
