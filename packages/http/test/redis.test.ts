// On a real Redis (started on a free port, as @cachewise/redis's tests do): the stored
// response's bytes, status and headers round-trip through the default serializer.
import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
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
});
