// The cache for each CACHE mode, as a user would configure it (docs/tiered.md,
// docs/stampede.md): memory for one server; Redis, with fleet-wide stampede protection,
// for many; memory in front of Redis, kept coherent by the Redis bus, for both.
import { type Cache, createCache, tiered } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { redisBus, redisStore, redlockProtector } from '@cachewise/redis';
import { Redis } from 'ioredis';
import type { Config } from './config.js';

export interface ServiceCache {
  /** Undefined with CACHE=none. */
  readonly cache: Cache | undefined;
  close(): Promise<void>;
}

export async function openCache(config: Config): Promise<ServiceCache> {
  const { namespace } = config;
  if (config.cache === 'none') return { cache: undefined, close: async () => {} };
  if (config.cache === 'memory') {
    const cache = createCache({ store: memoryStore({ maxEntries: 50_000 }), namespace, ttl: '5m' });
    return { cache, close: () => cache.close() };
  }
  const client = new Redis(config.redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  // Store keys under the namespace too, so two services with different namespaces can
  // share a Redis server without touching each other's keys.
  const l2 = redisStore({ client, prefix: `${namespace}:` });
  const cache =
    config.cache === 'redis'
      ? createCache({
          store: l2,
          stampede: redlockProtector({ client, prefix: `${namespace}:lock:` }),
          namespace,
          ttl: '5m',
        })
      : createCache({
          store: tiered({ l1: memoryStore({ maxEntries: 50_000 }), l2, bus: redisBus({ client }), channel: namespace }),
          namespace,
          ttl: '5m',
        });
  return {
    cache,
    async close() {
      await cache.close();
      client.disconnect();
    },
  };
}
