import 'reflect-metadata';
import { createCache } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { PeerContext, Subject } from '../peer.js';
import { connectIoredis, loadRedisStore } from './connection.js';

/** What the cachewise Redis rows have in common, for their setup notes. */
export const REDIS_STORE_NOTE =
  "`redisStore({ client: ioredis, prefix: 'cw' })`, plain ioredis client (default options, no `enableAutoPipelining`)";

/** A repository whose `findById` is decorated by the row's own `@Cached(...)`. */
export interface Repo {
  findById(id: number): Promise<unknown>;
}

/**
 * Sets up a cachewise row over Redis, no L1: a plain ioredis client, the store on it, and
 * the cache (the default one, created before `defineRepo` runs), then the row's repository.
 * Each row writes its own decorated class, since decorator options are part of the class body.
 */
export async function cachewiseRedisSubject(
  context: PeerContext,
  defineRepo: (loader: Loader) => Repo,
): Promise<Subject> {
  const redisStore = await loadRedisStore();
  const loader = new Loader();
  const client = await connectIoredis(context);
  const cache = createCache({ store: redisStore({ client, prefix: 'cw' }), namespace: 'bench', ttl: '5m' });
  const repo = defineRepo(loader);
  return {
    call: (id) => repo.findById(id),
    loads: () => loader.count,
    close: async () => {
      await cache.close();
      if (client.status !== 'end') await client.quit();
    },
  };
}
