import 'reflect-metadata';
import { Cached, createCache } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { connectIoredis, loadRedisStore } from './connection.js';

/**
 * The product's main path over Redis: a decorated method, no L1. The client is a plain
 * ioredis client (no `enableAutoPipelining`): the store itself sends reads issued in the
 * same tick as one pipeline, and that is part of what this row measures.
 */
export const peer: Peer = {
  label: 'cachewise @Cached (redisStore)',
  setupNote:
    "`@Cached({ ttl: '5m' })`, `redisStore({ client: ioredis, prefix: 'cw' })`, plain ioredis client " +
    '(default options, no `enableAutoPipelining`)',
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
