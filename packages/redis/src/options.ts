import { CacheOptionsError, parseDuration, type Duration } from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Your ioredis client: a `Redis` (single node or Sentinel) or a `Cluster`. The store
   * never closes a client it did not create. Give either `client` or `url`.
   */
  client?: Redis | Cluster;
  /** A `redis://` URL: the store creates its own client, and closes it on `close()`. */
  url?: string;
  /** Prefix of every key the store writes. Default `'cw:'`. No `{` or `}`. */
  prefix?: string;
  /**
   * The longest TTL an entry may have, and how long tag versions are kept after an
   * invalidation. Caches refuse longer TTLs up front. Default `'7d'`.
   */
  maxTtl?: Duration;
  /**
   * How long a deleted key's generation is kept: a load slower than this that began
   * before a delete of its key could be written after it. Default `'1h'`.
   */
  generationTtl?: Duration;
}

export interface ResolvedRedisOptions {
  readonly prefix: string;
  readonly maxTtlMs: number;
  readonly generationTtlMs: number;
}

const KNOWN: { [K in keyof Required<RedisStoreOptions>]: true } = {
  client: true, url: true, prefix: true, maxTtl: true, generationTtl: true,
};

export function resolveRedisOptions(options: RedisStoreOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError('redisStore: options must be an object with a `client` (ioredis Redis or Cluster) or a `url`');
  }
  for (const key of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(KNOWN, key)) {
      throw new CacheOptionsError(`redisStore: unknown option '${key}'. Known options: ${Object.keys(KNOWN).join(', ')}`);
    }
  }
  if ((options.client === undefined) === (options.url === undefined)) {
    throw new CacheOptionsError('redisStore: give exactly one of `client` (an ioredis Redis or Cluster) and `url`');
  }
  if (options.client !== undefined && typeof (options.client as { evalshaBuffer?: unknown }).evalshaBuffer !== 'function') {
    throw new CacheOptionsError('redisStore: `client` must be an ioredis Redis or Cluster instance');
  }
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url))) {
    throw new CacheOptionsError("redisStore: `url` must be a string starting with 'redis://' or 'rediss://'");
  }
  const prefix = options.prefix ?? 'cw:';
  if (typeof prefix !== 'string' || prefix.length > 100 || /[{}\s]/.test(prefix)) {
    throw new CacheOptionsError("redisStore: `prefix` must be a string of at most 100 characters without '{', '}' or spaces");
  }
  const maxTtlMs = parseDuration(options.maxTtl ?? '7d', 'redisStore: `maxTtl`');
  const generationTtlMs = parseDuration(options.generationTtl ?? '1h', 'redisStore: `generationTtl`');
  return { prefix, maxTtlMs, generationTtlMs };
}
