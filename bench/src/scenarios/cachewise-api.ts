/**
 * The cachewise API of issue 8 (the stampede protector, stale-while-revalidate, early
 * refresh), reached so that the bench builds and runs before that API exists: a row that
 * needs a part not built yet is skipped with the reason (PeerUnavailableError) instead of
 * failing the family, and runs as soon as the part lands, with no change here.
 */
import {
  type Cache,
  type CacheOptions,
  createCache,
  isCacheOptionsError,
  type StampedeProtector,
} from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';
import { PeerUnavailableError } from './peer.js';

/** Options of createCache that issue 8 adds; typed loosely until they are on main. */
export interface Issue8Options {
  stampede?: StampedeProtector;
  staleWhileRevalidate?: string;
  staleIfError?: string;
  earlyRefresh?: boolean | { beta: number };
}

/**
 * `createCache(options + features)`. A core that refuses one of the features as an unknown
 * option has not got it yet: the row is skipped, naming the option.
 */
export function createCacheWith(options: CacheOptions, features: Issue8Options): Cache {
  // A variable, not a literal: options core does not declare yet pass the type check.
  const all: CacheOptions = { ...options, ...features };
  try {
    return createCache(all);
  } catch (error) {
    const missing = Object.keys(features).find(
      (name) => isCacheOptionsError(error) && error.message.includes(`unknown option '${name}'`),
    );
    if (missing !== undefined) {
      throw new PeerUnavailableError(`@cachewise/core does not accept \`${missing}\` yet (issue 8 not merged)`);
    }
    throw error;
  }
}

type RedlockProtector = (options: { client: Redis | Cluster }) => StampedeProtector;

/** `redlockProtector` from @cachewise/redis, or PeerUnavailableError while that package has none. */
export async function loadRedlockProtector(): Promise<RedlockProtector> {
  const specifier: string = '@cachewise/redis';
  let module: { redlockProtector?: unknown };
  try {
    module = (await import(specifier)) as { redlockProtector?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PeerUnavailableError(`@cachewise/redis did not load (not built?): ${reason}`);
  }
  if (typeof module.redlockProtector !== 'function') {
    throw new PeerUnavailableError('@cachewise/redis does not export redlockProtector yet (h/redlock not merged)');
  }
  return module.redlockProtector as RedlockProtector;
}
