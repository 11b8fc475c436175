// Redis receives keys as UTF-8: a lone UTF-16 surrogate would arrive as U+FFFD, so
// 'a\ud800', 'a\udfff' and 'a\ufffd' would be one key. Core escapes them; this proves it
// on a real server (issue 6, item 5).
import { type Cache, Cached, createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from './helpers/index.js';

const lone = ['a\ud800', 'a\udfff', 'a\ufffd'];

let server: RedisServer;
let cache: Cache;
beforeAll(async () => {
  server = await startRedis({ private: true });
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(() => {
  cache = createCache({
    store: redisStore({ client: server.client(), prefix: server.newPrefix() }),
    setAsDefault: false,
    jitter: 0,
  });
});

describe('lone surrogates on Redis', () => {
  it('keys with \\ud800, \\udfff and \\ufffd hold three values', async () => {
    for (const [i, key] of lone.entries()) await cache.set(`user:${key}`, i);
    for (const [i, key] of lone.entries()) expect(await cache.get(`user:${key}`)).toBe(i);
    await cache.delete('user:a\udfff');
    expect(await cache.get('user:a\ud800')).toBe(0);
    expect(await cache.get('user:a\udfff')).toBeUndefined();
    expect(await cache.get('user:a\ufffd')).toBe(2);
  });

  it("invalidating tag 'grp\\ufffd' leaves 'grp\\ud800' and 'grp\\udfff' alone", async () => {
    for (const [i, tag] of lone.entries()) await cache.set(`v${i}`, i, { tags: [`grp${tag}`] });
    await cache.invalidateTags(['grpa\ufffd']);
    expect(await cache.get('v0')).toBe(0);
    expect(await cache.get('v1')).toBe(1);
    expect(await cache.get('v2')).toBeUndefined();
    expect((await cache.getEntry('v0'))?.tags).toEqual(['grpa\ud800']);
  });

  it('method arguments with lone surrogates (string, Map key, object key) get one entry each', async () => {
    const loads: unknown[] = [];
    class Search {
      @Cached({ cache })
      async find(query: unknown): Promise<number> {
        loads.push(query);
        return loads.length;
      }
    }
    const search = new Search();
    const args = [...lone, ...lone.map((s) => new Map([[s, 1]])), ...lone.map((s) => ({ [s]: 1 }))];
    const first = [];
    for (const arg of args) first.push(await search.find(arg));
    for (const [i, arg] of args.entries()) expect(await search.find(arg)).toBe(first[i]);
    expect(loads).toHaveLength(args.length);
  });
});
