import { Cacheable } from '@type-cacheable/core';
import { useAdapter } from '@type-cacheable/ioredis-adapter';
import type { Peer } from '../peer.js';
import { connectIoredis, TTL_SECONDS } from '../redis-hit/connection.js';
import { SlowLoader } from './loader.js';

/** type-cacheable's decorator over its ioredis adapter. */
export const peer: Peer = {
  label: 'type-cacheable ioredis adapter',
  setupNote: '`@Cacheable({ cacheKey, ttlSeconds: 300 })`, `useAdapter(ioredis)`',
  async setup(context) {
    const client = await connectIoredis(context);
    const loader = await SlowLoader.connect(context);
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
        await loader.close();
        await client.quit();
      },
    };
  },
};
