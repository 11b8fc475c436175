// resultTags on a real Redis: the version mark is the tags' primary's clock, so a result
// tag created after the load began (its first read) keeps the value from being cached
// once; the next load, with the tag in place, is cached.
import { type CacheEventMap, createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, randomPrefix, startRedis } from './helpers/index.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(() => server?.stop());

describe('resultTags on Redis', () => {
  it('the first load naming a new tag is not cached, the next one is, and the tag then invalidates it', async () => {
    const cache = createCache({ store: redisStore({ client: server.client(), prefix: randomPrefix() }) });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    let loads = 0;
    const list = () =>
      cache.wrap('org:1:users', async () => (loads++, [7, 8]), {
        resultTags: (ids) => ids.map((id) => `user:${id}`),
      });
    expect(await list()).toEqual([7, 8]);
    expect(errors).toHaveLength(1);
    expect(String((errors[0]!.error as Error).message)).toMatch(
      /a result tag was invalidated \(or its bookkeeping created\) during the load/,
    );
    await list();
    await list();
    expect(loads).toBe(2);
    await cache.invalidateTags(['user:8']);
    await list();
    expect(loads).toBe(3);
  });

  it('versionMark is the server clock in microseconds, below what later invalidations get', async () => {
    const store = redisStore({ client: server.client(), prefix: randomPrefix() });
    const mark = await store.versionMark!();
    expect(Math.abs(mark / 1000 - Date.now())).toBeLessThan(60_000); // microseconds of this epoch
    await store.invalidateTags(['t'], 'delete');
    const [state] = await store.readTags(['t']);
    expect(state!.version).toBeGreaterThanOrEqual(mark);
  });

  it('holds when the server clock steps back: marks and versions never go below what was handed out', async () => {
    const prefix = randomPrefix();
    const client = server.client();
    const store = redisStore({ client, prefix });
    await store.invalidateTags(['before'], 'delete');
    // As if the clock had stood an hour ahead when the last version or mark was handed out.
    const ahead = (Date.now() + 3_600_000) * 1000;
    await client.set(`${prefix}{${prefix}tags}:mark`, String(ahead), 'PX', 60_000);
    const mark = await store.versionMark!();
    expect(mark).toBeGreaterThan(ahead);
    await store.invalidateTags(['after'], 'expire');
    await store.readTags(['created']); // a tag never seen: created now
    const [before, after, created] = await store.readTags(['before', 'after', 'created']);
    expect(before!.version).toBeLessThan(mark);
    expect(after!.version).toBeGreaterThan(mark);
    expect(created!.version).toBeGreaterThan(mark);
    // And a mark taken now is above them all.
    const next = await store.versionMark!();
    expect(next).toBeGreaterThan(Math.max(after!.version, created!.version));
  });
});
