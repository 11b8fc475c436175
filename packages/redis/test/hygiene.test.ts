// Tag invalidation and clear() cost one command whatever the number of entries; no
// normal path uses KEYS, SCAN or per-entry DEL; every key the store writes expires.
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, randomPrefix, startRedis } from './helpers/index.js';

let server: RedisServer;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis({ private: true }); // resets INFO stats: never a shared server
  admin = server.client();
});
afterAll(() => server?.stop());

/** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats. */
async function commandCounts(): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const counts: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

describe('on a private server', () => {
  it('invalidates a tag on 10,000 entries with one script call and no DEL, KEYS or SCAN', async () => {
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix: randomPrefix() }),
      setAsDefault: false,
    });
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(
        Array.from({ length: 500 }, (_, j) => cache.set(`item:${i + j}`, i + j, { tags: ['catalog'] })),
      );
    }
    await admin.config('RESETSTAT');
    await cache.invalidateTags(['catalog']);
    const counts = await commandCounts();
    expect(counts.evalsha).toBe(1);
    expect(counts.del ?? 0).toBe(0);
    expect(counts.unlink ?? 0).toBe(0);
    expect(await cache.get('item:9999')).toBeUndefined();
    await admin.config('RESETSTAT');
    await cache.clear();
    expect((await commandCounts()).evalsha).toBe(1);
  });

  it('uses no KEYS or SCAN on any path, and every key it writes expires', async () => {
    const prefix = randomPrefix();
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix, maxTtl: '1d', generationTtl: '10m' }),
      ttl: '1h',
      setAsDefault: false,
    });
    await admin.config('RESETSTAT');
    await cache.set('a', 1, { tags: ['t1'] });
    await cache.wrap('b', async () => 2, { tags: ['t1', 't2'] });
    await cache.wrap('b', async () => 3, { tags: ['t1', 't2'] });
    await cache.get('a');
    await cache.getEntry('b');
    await cache.invalidateTags(['t2'], { mode: 'expire' });
    await cache.invalidateTags(['t1']);
    await cache.delete('a', 'b');
    await cache.set('c', 3);
    await cache.clear();
    const counts = await commandCounts();
    for (const forbidden of ['keys', 'scan', 'flushdb', 'flushall']) expect(counts[forbidden] ?? 0).toBe(0);

    // Test-only listing of what the store left behind (our own private server).
    const keys = await admin.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(86_400_000 + 600_000); // tags: maxTtl + generationTtl
      // generations: generationTtl, or as long as the entry they guard when that is longer
      if (key.endsWith(':g')) expect(ttl, key).toBeLessThanOrEqual(3_600_000);
    }
  });
});
