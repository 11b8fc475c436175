import { CacheOptionsError, type Duration, parseDuration } from '@cachewise/core';
import { rejectUnknownOptions } from '@cachewise/core/store';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { checkClientOptions } from './client.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Your ioredis client: a `Redis` (single node or Sentinel) or a `Cluster`. The store
   * never closes a client it did not create. Give either `client` or `url`.
   */
  client?: Redis | Cluster;
  /**
   * A `redis://` or `rediss://` URL: the store creates its own client, with bounded
   * defaults (see `clientOptions`), and closes it on `close()`.
   */
  url?: string;
  /**
   * ioredis options for the client the store creates from `url`, over the store's
   * defaults: `connectTimeout: 2000`, `commandTimeout: 1000`, `maxRetriesPerRequest: 1`,
   * `enableOfflineQueue: false`. Only with `url`: with `client`, configure your client.
   * The URL's host, port, credentials and database win over the same settings here.
   *
   * @example
   * redisStore({ url: process.env.REDIS_URL, clientOptions: { commandTimeout: 250 } })
   */
  clientOptions?: RedisOptions;
  /**
   * How long `cache.set()`, deletes and invalidations wait for the client to be ready
   * (connected) before they reject with a `StoreError`. Reads never wait: they fail open
   * at once. Applies to a `client` you pass too. Default `'5s'`, at most `'1h'`.
   */
  readyTimeout?: Duration;
  /** Prefix of every key the store writes. Default `'cw:'`. No `{` or `}`. */
  prefix?: string;
  /**
   * The longest TTL an entry may have; caches refuse longer TTLs up front. A tag key lives
   * `maxTtl + generationTtl` after it was last created, invalidated or renewed (tags are
   * renewed while read). Default `'7d'`.
   */
  maxTtl?: Duration;
  /**
   * The shortest life of a key's generation (after a delete, a `set`, or a read of a key
   * with no entry): a load slower than this is not written. Correctness does not rest on
   * it: a lost generation refuses the write. Default `'1h'`.
   */
  generationTtl?: Duration;
}

export interface ResolvedRedisOptions {
  readonly prefix: string;
  readonly readyTimeoutMs: number;
  readonly maxTtlMs: number;
  readonly generationTtlMs: number;
}

const KNOWN: { [K in keyof Required<RedisStoreOptions>]: true } = {
  client: true,
  url: true,
  clientOptions: true,
  readyTimeout: true,
  prefix: true,
  maxTtl: true,
  generationTtl: true,
};

/** The longest `readyTimeout`: a wait past it is an outage, and timers overflow at 2^31 ms. */
const MAX_READY_TIMEOUT_MS = 3_600_000;

export function resolveRedisOptions(options: RedisStoreOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(
      'redisStore: options must be an object with a `client` (ioredis Redis or Cluster) or a `url`',
    );
  }
  rejectUnknownOptions('redisStore', options, KNOWN);
  if ((options.client === undefined) === (options.url === undefined)) {
    throw new CacheOptionsError('redisStore: give exactly one of `client` (an ioredis Redis or Cluster) and `url`');
  }
  if (
    options.client !== undefined &&
    typeof (options.client as { evalshaBuffer?: unknown }).evalshaBuffer !== 'function'
  ) {
    throw new CacheOptionsError('redisStore: `client` must be an ioredis Redis or Cluster instance');
  }
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw new CacheOptionsError("redisStore: `url` must be a string starting with 'redis://' or 'rediss://'");
  }
  if (options.clientOptions !== undefined) {
    if (options.url === undefined) {
      throw new CacheOptionsError(
        'redisStore: `clientOptions` applies only with `url`; with `client`, configure that client yourself',
      );
    }
    checkClientOptions(options.clientOptions);
  }
  const readyTimeoutMs = parseDuration(options.readyTimeout ?? '5s', 'redisStore: `readyTimeout`');
  if (readyTimeoutMs > MAX_READY_TIMEOUT_MS) {
    throw new CacheOptionsError(
      `redisStore: \`readyTimeout\` must be at most '1h' (${MAX_READY_TIMEOUT_MS} ms); got ${readyTimeoutMs} ms`,
    );
  }
  const prefix = options.prefix ?? 'cw:';
  // \p{Cs} with the u flag matches only unpaired surrogates, which Redis would receive as U+FFFD.
  if (typeof prefix !== 'string' || prefix.length > 100 || /[{}\s]/.test(prefix) || /\p{Cs}/u.test(prefix)) {
    throw new CacheOptionsError(
      "redisStore: `prefix` must be a string of at most 100 characters without '{', '}', spaces or lone UTF-16 surrogates",
    );
  }
  const maxTtlMs = parseDuration(options.maxTtl ?? '7d', 'redisStore: `maxTtl`');
  const generationTtlMs = parseDuration(options.generationTtl ?? '1h', 'redisStore: `generationTtl`');
  return { prefix, readyTimeoutMs, maxTtlMs, generationTtlMs };
}
