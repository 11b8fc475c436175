// Eviction never turns an invalidated entry fresh again: a server that evicts (8 MB,
// allkeys-lru) under filler traffic drops tag and generation keys; a lost one is
// recreated with a new version at the next read, so what it guarded reads stale.
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, randomPrefix, startRedis } from './helpers/index.js';

const ENTRIES = 3_000;
const BATCH = 500;

let server: RedisServer;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis({ private: true, args: ['--maxmemory', '8mb', '--maxmemory-policy', 'allkeys-lru'] });
  admin = server.client();
});
afterAll(() => server?.stop());

async function inBatches(count: number, run: (i: number) => Promise<unknown>): Promise<unknown[]> {
  const results: unknown[] = [];
  for (let i = 0; i < count; i += BATCH) {
    results.push(...(await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => run(i + j)))));
  }
  return results;
}

describe('allkeys-lru at 8 MB with filler traffic', () => {
  it('serves none of 3,000 invalidated entries as fresh after tags and generations were evicted', async () => {
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix: randomPrefix() }),
      ttl: '1h',
      jitter: 0,
      setAsDefault: false,
    });
    cache.on('error', () => {}); // the policy finding is reported; this test counts values
    const payload = 'x'.repeat(600);
    const tags = (i: number) => [`item:${i}`];
    await inBatches(ENTRIES, (i) => cache.wrap(`k${i}`, async () => `old-${i}-${payload}`, { tags: tags(i) }));
    await inBatches(ENTRIES / BATCH, (b) =>
      cache.invalidateTags(Array.from({ length: BATCH }, (_, j) => `item:${b * BATCH + j}`)),
    );
    // Filler: other data pushes Redis past maxmemory, so it evicts (about 12 MB written).
    const filler = 'f'.repeat(4_000);
    await inBatches(3_000, (i) => admin.set(`filler:${i}`, filler));
    const evicted = Number(/evicted_keys:(\d+)/.exec(await admin.info('stats'))![1]);
    expect(evicted).toBeGreaterThan(0);

    const values = await inBatches(ENTRIES, (i) => cache.wrap(`k${i}`, async () => `new-${i}`, { tags: tags(i) }));
    const resurrected = values.filter((value) => String(value).startsWith('old-')).length;
    console.info(`eviction: ${evicted} keys evicted, ${resurrected} of ${ENTRIES} invalidated entries served as fresh`);
    expect(resurrected).toBe(0);
  });
});
