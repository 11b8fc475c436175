import 'reflect-metadata';
import { Cached, createCache, type StampedeProtector } from '@cachewise/core';
import type { Redis } from 'ioredis';
import type { PeerContext, Subject } from '../peer.js';
import { connectIoredis, loadRedisStore } from '../redis-hit/connection.js';
import { SlowLoader } from './loader.js';

/**
 * A cachewise row of the stampede: `@Cached({ ttl: '5m' })` over `redisStore`, with the
 * protector `protect` makes from the row's client (none: today's in-process single flight only).
 */
export async function cachewiseStampedeSubject(
  context: PeerContext,
  protect?: (client: Redis) => Promise<StampedeProtector>,
): Promise<Subject> {
  const redisStore = await loadRedisStore();
  const client = await connectIoredis(context);
  const loader = await SlowLoader.connect(context);
  try {
    const stampede = protect === undefined ? undefined : await protect(client);
    const cache = createCache({
      store: redisStore({ client, prefix: 'cw' }),
      namespace: 'bench',
      ttl: '5m',
      ...(stampede === undefined ? {} : { stampede }),
    });
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
        await loader.close();
        if (client.status !== 'end') await client.quit();
      },
    };
  } catch (error) {
    await loader.close();
    await client.quit();
    throw error;
  }
}
