import { Cacheable } from '@type-cacheable/core';
import { useAdapter } from '@type-cacheable/ioredis-adapter';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { connectIoredis, TTL_SECONDS } from './connection.js';

/** type-cacheable's decorator over its ioredis adapter, with an explicit key (see the memory row). */
export const peer: Peer = {
  label: 'type-cacheable ioredis adapter',
  setupNote: '`@Cacheable({ cacheKey, ttlSeconds: 300 })`, `useAdapter(ioredis)`',
  async setup(context) {
    const loader = new Loader();
    const client = await connectIoredis(context);
    useAdapter(client);

    class Repo {
      @Cacheable({ cacheKey: (args: unknown[]) => `tc:user:${String(args[0])}`, ttlSeconds: TTL_SECONDS })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return {
      call: (id) => repo.findById(id),
      loads: () => loader.count,
      close: async () => {
        await client.quit();
      },
    };
  },
};
