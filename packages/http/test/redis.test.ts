// On a real Redis (started on a free port, as @cachewise/redis's tests do): the stored
// response's bytes, status and headers round-trip through the default serializer.
import { createCache } from '@cachewise/core';
import { deferred, fakeClock } from '@cachewise/core/testing';
import { redisStore, redlockProtector } from '@cachewise/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../redis/test/helpers/index.js';
import { type App, FRAMEWORKS, get, serve } from './helpers.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

describe.each(FRAMEWORKS)('%s on Redis', (framework) => {
  let app: App | undefined;
  afterAll(async () => {
    await app?.close();
  });

  it('replays the bytes, status and headers of a stored response, and drops it by tag', async () => {
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix: server.newPrefix() }),
      setAsDefault: false,
    });
    // Every byte value, not valid UTF-8: the body is stored as bytes, not text.
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    let calls = 0;
    app = await serve(framework, cache, [
      {
        method: 'GET',
        path: '/blob',
        cache: { ttl: '1m', tags: ['blob'], statuses: [203] },
        handler: () => {
          calls++;
          return {
            status: 203,
            body: bytes,
            headers: { 'content-type': 'application/octet-stream', 'x-list': ['a', 'b'], 'content-language': 'fr' },
          };
        },
      },
    ]);
    const miss = await fetch(`${app.url}/blob`);
    expect(Buffer.from(await miss.arrayBuffer())).toEqual(bytes);
    const hit = await fetch(`${app.url}/blob`);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.status).toBe(203);
    expect(Buffer.from(await hit.arrayBuffer())).toEqual(bytes);
    for (const name of ['content-type', 'x-list', 'content-language', 'etag', 'last-modified']) {
      expect(hit.headers.get(name), name).toBe(miss.headers.get(name));
    }
    expect(hit.headers.get('x-list')).toBe('a, b');
    expect(calls).toBe(1);

    await cache.invalidateTags(['blob']);
    expect((await get(`${app.url}/blob`)).headers.get('x-cache')).toBe('MISS');
    expect(calls).toBe(2);
    await cache.close();
  });

  it('serves STALE while one request refreshes, with the Redlock protector on', async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix: server.newPrefix() }),
      stampede: redlockProtector({ client: server.client(), prefix: server.newPrefix() }),
      clock,
      jitter: 0,
      setAsDefault: false,
    });
    let version = 0;
    let gate: ReturnType<typeof deferred<void>> | undefined;
    const staleApp = await serve(framework, cache, [
      {
        method: 'GET',
        path: '/doc',
        cache: { ttl: '10s', staleWhileRevalidate: '1m' },
        handler: async () => {
          const mine = ++version;
          if (gate !== undefined) await gate.promise;
          return { body: { version: mine } };
        },
      },
    ]);
    try {
      expect((await get(`${staleApp.url}/doc`)).headers.get('x-cache')).toBe('MISS');
      clock.advance(15_000);
      gate = deferred<void>();
      const refreshing = get(`${staleApp.url}/doc`);
      while (version < 2) await new Promise((resolve) => setImmediate(resolve));
      const stale = await get(`${staleApp.url}/doc`);
      expect(stale.headers.get('x-cache')).toBe('STALE');
      expect(JSON.parse(stale.text)).toEqual({ version: 1 });
      expect(stale.headers.get('age')).toBe('15');
      gate.resolve();
      expect(JSON.parse((await refreshing).text)).toEqual({ version: 2 });
      const hit = await get(`${staleApp.url}/doc`);
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(JSON.parse(hit.text)).toEqual({ version: 2 });
      expect(version).toBe(2);
    } finally {
      await staleApp.close();
      await cache.close();
    }
  });
});
