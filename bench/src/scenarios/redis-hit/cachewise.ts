import 'reflect-metadata';
import { Cached, createCache, type Store } from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';
import { Loader } from '../../harness/user.js';
import { PeerUnavailableError, type Peer } from '../peer.js';
import { connectIoredis } from './connection.js';

// ---- cachewise Redis slot ------------------------------------------------------------
// @cachewise/redis is being written. Its planned API is
//   redisStore({ client: Redis | Cluster, prefix?: string }): Store
// It is loaded at run time, so the bench builds before the package does; until it builds
// and exports `redisStore`, this row is skipped with the reason in the table.

interface RedisStoreModule {
  redisStore(options: { client: Redis | Cluster; prefix?: string }): Store;
}

async function loadRedisStore(): Promise<RedisStoreModule['redisStore']> {
  const specifier: string = '@cachewise/redis';
  let module: Partial<RedisStoreModule>;
  try {
    module = (await import(specifier)) as Partial<RedisStoreModule>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PeerUnavailableError(`@cachewise/redis did not load (not built yet?): ${reason}`);
  }
  if (typeof module.redisStore !== 'function') {
    throw new PeerUnavailableError('@cachewise/redis does not export redisStore yet');
  }
  return module.redisStore;
}

/** The product's main path over Redis: a decorated method, no L1. */
export const peer: Peer = {
  label: 'cachewise @Cached (redisStore)',
  setupNote: "`@Cached({ ttl: '5m' })`, `redisStore({ client: ioredis, prefix: 'cw' })`",
  async setup(context) {
    const redisStore = await loadRedisStore();
    const loader = new Loader();
    const client = await connectIoredis(context);
    const cache = createCache({ store: redisStore({ client, prefix: 'cw' }), namespace: 'bench', ttl: '5m' });

    class Repo {
      @Cached({ ttl: '5m' })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return {
      call: (id) => repo.findById(id),
      loads: () => loader.count,
      close: async () => {
        await cache.close();
        if (client.status !== 'end') await client.quit();
      },
    };
  },
};
