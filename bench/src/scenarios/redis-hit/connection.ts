import type { StampedeProtector, Store } from '@cachewise/core';
import { type Cluster, Redis } from 'ioredis';
import { type PeerContext, PeerUnavailableError } from '../peer.js';

/** The private server's port; Redis peers never fall back to a default server. */
export function redisPort(context: PeerContext): number {
  if (context.redisPort === undefined)
    throw new PeerUnavailableError('no private redis-server port was given (--redisPort=<port>)');
  return context.redisPort;
}

/**
 * A plain ioredis client on the private server, connected before timing starts: default
 * options as a user would have them (no `enableAutoPipelining`), so any batching a row
 * shows is the library's own.
 */
export async function connectIoredis(context: PeerContext): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port: redisPort(context), lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return client;
}

export const TTL_SECONDS = 300;

type RedisStore = (options: { client: Redis | Cluster; prefix?: string }) => Store;

/**
 * `redisStore` from @cachewise/redis, loaded at run time: the bench builds even when that
 * package does not (its build is allowed to fail, see package.json), and the cachewise
 * Redis rows are then skipped with the reason instead of the whole family failing.
 */
export async function loadRedisStore(): Promise<RedisStore> {
  const specifier: string = '@cachewise/redis';
  let module: { redisStore?: unknown };
  try {
    module = (await import(specifier)) as { redisStore?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PeerUnavailableError(`@cachewise/redis did not load (not built?): ${reason}`);
  }
  if (typeof module.redisStore !== 'function')
    throw new PeerUnavailableError('@cachewise/redis does not export redisStore');
  return module.redisStore as RedisStore;
}

type RedlockProtector = (options: { client: Redis | Cluster }) => StampedeProtector;

/** `redlockProtector` from @cachewise/redis, loaded at run time for the same reason as {@link loadRedisStore}. */
export async function loadRedlockProtector(): Promise<RedlockProtector> {
  const specifier: string = '@cachewise/redis';
  let module: { redlockProtector?: unknown };
  try {
    module = (await import(specifier)) as { redlockProtector?: unknown };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PeerUnavailableError(`@cachewise/redis did not load (not built?): ${reason}`);
  }
  if (typeof module.redlockProtector !== 'function')
    throw new PeerUnavailableError('@cachewise/redis does not export redlockProtector');
  return module.redlockProtector as RedlockProtector;
}
