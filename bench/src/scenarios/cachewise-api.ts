/**
 * The cachewise API of issue 8 that the bench reaches at run time: `redlockProtector` from
 * @cachewise/redis, loaded so that the bench builds and runs before that export exists. A row
 * that needs it is skipped with the reason (PeerUnavailableError) instead of failing the
 * family, and runs as soon as it lands, with no change here.
 */
import type { StampedeProtector } from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';
import { PeerUnavailableError } from './peer.js';

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
