// The guides' Redis snippets, run against a redis-server this file starts on a free port
// (REDIS_URL points the snippets at it). Sentinel, Cluster and TLS snippets are compiled
// only: they name hosts that do not exist here.
import { type Cache, setDefaultCache } from '@cachewise/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../packages/redis/test/helpers/index.js';
import { db } from '../snippets/support.js';

let server: RedisServer;
const caches: Cache[] = [];
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedis({ private: true });
  process.env.REDIS_URL = server.url;
});

afterAll(async () => {
  for (const cache of caches) await cache.close();
  for (const client of clients) client.disconnect();
  const { client } = await import('../snippets/redis-client.js');
  client.disconnect();
  await server?.stop();
});

describe('Redis snippets', () => {
  it('redis-store: a single node, with the suggested client options', async () => {
    const { cache, client } = await import('../snippets/redis-store/single-node.js');
    caches.push(cache);
    clients.push(client);
    await cache.set('greeting', new Map([['at', new Date(0)]]));
    expect(await cache.get('greeting')).toEqual(new Map([['at', new Date(0)]]));
    expect(await client.dbsize()).toBeGreaterThan(0); // it really went to Redis
  });

  it('redis-store: mockRedisStore needs no server', async () => {
    const { cache } = await import('../snippets/redis-store/mock.js');
    caches.push(cache);
    expect(await cache.wrap('k', async () => 'v')).toBe('v');
    expect(await cache.get('k')).toBe('v');
  });

  it('failure modes: the options are accepted and the cache works', async () => {
    const { cache } = await import('../snippets/failure-modes/options.js');
    caches.push(cache);
    expect(await cache.wrap('fm', async () => 1)).toBe(1);
    expect(cache.stats().circuit).toBe('closed');
  });

  it('bus: publishes and subscribes on the client', async () => {
    const { bus, client } = await import('../snippets/bus/create.js');
    clients.push(client);
    expect(typeof bus.publish).toBe('function');
    expect(typeof bus.subscribe).toBe('function');
  });

  it('tiered: set, read and invalidate through both tiers', async () => {
    const { cache } = await import('../snippets/tiered/create.js');
    caches.push(cache);
    await cache.set('tiered', 'v1', { tags: ['t'] });
    expect(await cache.get('tiered')).toBe('v1');
    await cache.invalidateTags(['t']);
    expect(await cache.get('tiered')).toBeUndefined();
  });

  it('stampede: redlockProtector, stale-while-revalidate and early refresh on Redis', async () => {
    const { cache, UserRepository } = await import('../snippets/stampede/setup.js');
    caches.push(cache);
    setDefaultCache(cache); // the page's cache is the only one in its app
    const users = new (UserRepository as new () => { findById(id: number): Promise<unknown> })();
    const reads = db.counts.reads;
    const results = await Promise.all(Array.from({ length: 10 }, () => users.findById(1)));
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    expect(db.counts.reads).toBe(reads + 1); // one load for ten callers
    expect(cache.stats().locksAcquired).toBe(1);
  });
});
