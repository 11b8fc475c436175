// On connect the store reads the server's maxmemory-policy: a policy that can evict its
// bookkeeping is an `error` event on every cache of the store and one process warning
// per policy (to the cache's logger instead, when it has one); safe policies say nothing; a
// server without CONFIG is left alone.
import { type CacheEventMap, createCache, isStoreError } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, type RedisServer, randomPrefix, startCluster, startRedis } from './helpers/index.js';

const servers: Record<string, RedisServer> = {};
let cluster: RedisCluster;
beforeAll(async () => {
  let started: RedisServer[];
  [cluster, ...started] = await Promise.all([
    startCluster(),
    startRedis({ private: true, args: ['--maxmemory-policy', 'allkeys-lru'] }),
    startRedis({ private: true, args: ['--maxmemory-policy', 'volatile-ttl'] }),
    startRedis({ private: true, args: ['--maxmemory-policy', 'noeviction'] }),
    startRedis({ private: true, args: ['--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', ''] }),
    startRedis({ private: true, args: ['--maxmemory-policy', 'allkeys-random'] }),
  ]);
  for (const [i, name] of ['allkeys-lru', 'volatile-ttl', 'noeviction', 'noconfig', 'allkeys-random'].entries())
    servers[name] = started[i]!;
});
afterAll(async () => {
  await Promise.all([cluster?.stop(), ...Object.values(servers).map((server) => server.stop())]);
});

const warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  if ((warning as Error & { code?: string }).code === 'CACHEWISE_EVICTION_POLICY') warnings.push(warning);
};
process.on('warning', onWarning);
afterAll(() => {
  process.off('warning', onWarning);
});
afterEach(() => {
  warnings.length = 0;
});

async function readyClient(server: RedisServer): Promise<Redis> {
  const client = server.client();
  await new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
  return client;
}

/** A cache on its own store, with its error events. */
function cacheOn(client: Redis) {
  const cache = createCache({ store: redisStore({ client, prefix: randomPrefix() }), setAsDefault: false });
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('error', (event) => errors.push(event));
  return { cache, errors };
}

/** The store's CONFIG GET was sent first on this connection: once a later command answers, its reply was handled. */
async function settled(client: Redis): Promise<void> {
  await client.ping();
  await new Promise((resolve) => setImmediate(resolve)); // process warnings are emitted on nextTick
}

describe('eviction policy check', () => {
  it('reports allkeys-lru as an error event on each cache, with one process warning naming the safe policies', async () => {
    const client = await readyClient(servers['allkeys-lru']!);
    const first = cacheOn(client);
    const second = cacheOn(client);
    await settled(client);
    for (const { errors } of [first, second]) {
      expect(errors).toHaveLength(1);
      expect(errors[0]!.kind).toBe('store');
      expect(isStoreError(errors[0]!.error)).toBe(true);
      expect((errors[0]!.error as Error).message).toMatch(
        /maxmemory-policy is 'allkeys-lru'.*Safe policies: noeviction, volatile-ttl/,
      );
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/'allkeys-lru'.*noeviction, volatile-ttl/);
    // The store still works: the finding is advice, not a failure.
    expect(await first.cache.wrap('k', async () => 1)).toBe(1);
  });

  it("goes to the cache's logger instead of a process warning when the cache has one", async () => {
    const client = await readyClient(servers['allkeys-random']!);
    const lines: string[] = [];
    const logger = { warn: (line: string) => lines.push(line), error: () => {} };
    const store = redisStore({ client, prefix: randomPrefix() });
    const cache = createCache({ store, logger, setAsDefault: false });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    await settled(client);
    expect(lines).toEqual([
      expect.stringMatching(/^CACHEWISE_EVICTION_POLICY: .*maxmemory-policy is 'allkeys-random'/),
    ]);
    expect(warnings).toEqual([]);
    expect(errors).toHaveLength(1); // the error event is still emitted
    // A second cache on the same logger, created after the finding: the logger heard it already.
    createCache({ store, logger, setAsDefault: false });
    await settled(client);
    expect(lines).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('tells a cache created after the finding, once it can listen', async () => {
    const client = await readyClient(servers['allkeys-lru']!);
    const store = redisStore({ client, prefix: randomPrefix() });
    await settled(client);
    const cache = createCache({ store, setAsDefault: false });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    await settled(client);
    expect(errors.map((event) => (event.error as Error).message)).toEqual([expect.stringMatching(/allkeys-lru/)]);
    expect(warnings).toHaveLength(0); // this process was warned about allkeys-lru already
  });

  for (const policy of ['volatile-ttl', 'noeviction']) {
    it(`says nothing about ${policy}`, async () => {
      const client = await readyClient(servers[policy]!);
      const { errors } = cacheOn(client);
      await settled(client);
      expect(errors).toEqual([]);
      expect(warnings).toEqual([]);
    });
  }

  it('says nothing, and works, when the server refuses CONFIG (managed Redis)', async () => {
    const client = await readyClient(servers.noconfig!);
    await expect(client.config('GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
    const { cache, errors } = cacheOn(client);
    await settled(client);
    expect(await cache.wrap('k', async () => 'loaded')).toBe('loaded');
    expect(await cache.wrap('k', async () => 'again')).toBe('loaded');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('checks when a client that was not ready yet connects', async () => {
    const client = servers['allkeys-lru']!.client({ lazyConnect: true });
    const { errors } = cacheOn(client);
    await client.connect();
    await settled(client);
    expect(errors).toHaveLength(1);
  });

  it('checks every primary of a Cluster', async () => {
    const admin = cluster.client();
    await new Promise<void>((resolve) => admin.once('ready', () => resolve()));
    await admin.nodes('master')[1]!.config('SET', 'maxmemory-policy', 'volatile-lru');
    const client = cluster.client();
    const cache = createCache({ store: redisStore({ client, prefix: randomPrefix() }), setAsDefault: false });
    const reported = new Promise<CacheEventMap['error']>((resolve) => cache.on('error', resolve));
    expect(((await reported).error as Error).message).toMatch(/maxmemory-policy is 'volatile-lru'/);
  });
});
