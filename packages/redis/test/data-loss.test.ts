// P2 against a Redis that lost its data: a restart without persistence, FLUSHDB, or
// FLUSHALL on one Cluster primary. A load that straddled an invalidation or a delete,
// and entries written before the loss, must never be served as fresh afterwards.
import { type Cache, createCache } from '@cachewise/core';
import { deferred } from '@cachewise/core/testing';
import { redisStore } from '@cachewise/redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, type RedisServer, randomPrefix, startCluster, startRedis } from './helpers/index.js';

let server: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis({ private: true }), startCluster()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

const ready = (client: Redis | Cluster): Promise<void> =>
  new Promise((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));

/**
 * Two caches (two processes, as Redis sees them: two connections) on one prefix. Both
 * serve stale values inside wide windows, so every check below also proves that what
 * lost its bookkeeping is gone, not merely stale: it is never served, even as stale.
 */
function pair(clients: [Redis | Cluster, Redis | Cluster]): [Cache, Cache] {
  const prefix = randomPrefix();
  const make = (client: Redis | Cluster) =>
    createCache({
      store: redisStore({ client, prefix }),
      namespace: 'loss',
      jitter: 0,
      setAsDefault: false,
      staleWhileRevalidate: '1h',
      staleIfError: '1h',
    });
  return [make(clients[0]), make(clients[1])];
}

type Loss = (clients: Array<Redis | Cluster>) => Promise<void>;

async function straddle(
  clients: [Redis | Cluster, Redis | Cluster],
  invalidate: (other: Cache, key: string, tag: string) => Promise<unknown>,
  lose: Loss,
): Promise<void> {
  const [cache, other] = pair(clients);
  const key = 'user:1';
  const tags = ['user-tag:1'];
  const gate = deferred<string>();
  const started = deferred<void>();
  const slow = cache.wrap(key, () => (started.resolve(), gate.promise), { tags });
  await started.promise; // read done: the load runs
  await invalidate(other, key, tags[0]!); // acknowledged by Redis...
  await lose(clients); // ...which then loses everything it held
  await Promise.all(clients.map(ready));
  gate.resolve('OLD'); // the load that began before the invalidation writes now
  expect(await slow).toBe('OLD');
  expect(await other.wrap(key, async () => 'NEW', { tags })).toBe('NEW');
  expect(await cache.wrap(key, async () => 'NEWER', { tags })).toBe('NEW');
}

const invalidations = [
  ['a tag invalidation', (other: Cache, _key: string, tag: string) => other.invalidateTags([tag])],
  ['a delete', (other: Cache, key: string) => other.delete(key)],
  ['clear()', (other: Cache) => other.clear()],
] as const;

describe('single node', () => {
  const losses: Array<[string, Loss]> = [
    ['a restart without persistence', () => server.restart()],
    ['FLUSHDB', async () => void (await server.client().flushdb())],
  ];
  for (const [lossName, lose] of losses) {
    for (const [what, invalidate] of invalidations) {
      it(`never serves a load that straddled ${what} as fresh after ${lossName}`, async () => {
        await straddle([server.client(), server.client()], invalidate, lose);
      });
    }
  }
});

describe('Cluster', () => {
  const flushAll: Loss = async (clients) => {
    await Promise.all((clients[0] as Cluster).nodes('master').map((node) => node.flushall()));
  };
  for (const [what, invalidate] of invalidations) {
    it(`never serves a load that straddled ${what} as fresh after FLUSHALL on every primary`, async () => {
      await straddle([cluster.client(), cluster.client()], invalidate, flushAll);
    });
  }

  it.each(['delete', 'expire'] as const)(
    "never serves entries written before their tag was invalidated ('%s' mode) after FLUSHALL on the primary of the tags, not even as stale",
    async (mode) => {
      const client = cluster.client();
      const prefix = randomPrefix();
      const cache = createCache({
        store: redisStore({ client, prefix }),
        namespace: 'loss',
        jitter: 0,
        setAsDefault: false,
        staleWhileRevalidate: '1h',
      });
      const keys = Array.from({ length: 30 }, (_, i) => `item:${i}`);
      for (const key of keys) await cache.wrap(key, async () => `OLD-${key}`, { tags: ['catalog'] });
      await cache.invalidateTags(['catalog'], { mode });
      // Only the primary that holds the tag slot loses its data; the entries live elsewhere.
      const tagKey = `${prefix}{${prefix}tags}:loss#catalog`;
      const slot = Number(await client.cluster('KEYSLOT', tagKey));
      const masters = client.nodes('master');
      const counts = await Promise.all(masters.map((node) => node.cluster('COUNTKEYSINSLOT', slot)));
      const owner = masters[counts.findIndex((count) => Number(count) > 0)]!;
      await owner.flushall();
      const survivors = (
        await Promise.all(masters.filter((node) => node !== owner).map((node) => node.dbsize()))
      ).reduce((a, b) => a + b, 0);
      expect(survivors).toBeGreaterThan(0); // some entries outlived the loss of their tag
      for (const key of keys)
        expect(await cache.wrap(key, async () => `NEW-${key}`, { tags: ['catalog'] })).toBe(`NEW-${key}`);
    },
  );
});
