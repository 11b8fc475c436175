// Invalidation through the tags @Invalidates uses: a PUT handled by a decorated
// repository drops the cached GET response. And concurrent misses of one key run the
// handler once. Fastify and Express, over real HTTP.
import 'reflect-metadata';
import { Cached, createCache, Invalidates } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, FRAMEWORKS, fakeClock, get, serve } from './helpers.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe.each(FRAMEWORKS)('%s', (framework) => {
  it('a PUT through an @Invalidates repository method drops the GET response tagged by the same tag', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: false });
    const names = new Map([['1', 'Ada']]);
    let reads = 0;
    class UserRepository {
      @Cached({ cache, ttl: '5m', tags: (id: string) => [`user:${id}`] })
      async findById(id: string): Promise<{ id: string; name: string | undefined }> {
        reads++;
        return { id, name: names.get(id) };
      }

      @Invalidates({ cache, tags: (id: string) => [`user:${id}`] })
      async rename(id: string, name: string): Promise<void> {
        names.set(id, name);
      }
    }
    const users = new UserRepository();
    const app = await serve(framework, cache, [
      {
        method: 'GET',
        path: '/users/:id',
        cache: { ttl: '1m', tags: (req: { params: Record<string, string | string[]> }) => [`user:${req.params.id}`] },
        handler: async ({ params }) => ({ body: await users.findById(params.id!) }),
      },
      {
        method: 'PUT',
        path: '/users/:id',
        handler: async ({ params, body }) => {
          await users.rename(params.id!, (body as { name: string }).name);
          return { status: 204 };
        },
      },
    ]);
    apps.push(app);
    expect(JSON.parse((await get(`${app.url}/users/1`)).text).name).toBe('Ada');
    const hit = await get(`${app.url}/users/1`);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    const put = await fetch(`${app.url}/users/1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace' }),
    });
    expect(put.status).toBe(204);
    const after = await get(`${app.url}/users/1`);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(JSON.parse(after.text).name).toBe('Grace');
    expect(reads).toBe(2);
  });

  it('does not store a response whose handler began before an invalidation of its tags', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: false });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = await serve(framework, cache, [
      {
        method: 'GET',
        path: '/t',
        cache: { ttl: '1m', tags: ['t'] },
        handler: async () => {
          if (++calls === 1) await gate;
          return { body: `body ${calls}` };
        },
      },
    ]);
    apps.push(app);
    const first = get(`${app.url}/t`);
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await cache.invalidateTags(['t']);
    release();
    expect((await first).text).toBe('body 1');
    const next = await get(`${app.url}/t`);
    expect(next.headers.get('x-cache')).toBe('MISS');
    expect(next.text).toBe('body 2');
  });

  it("never serves a stale response, whatever the cache's own staleWhileRevalidate", async () => {
    const clock = fakeClock();
    const cache = createCache({ store: memoryStore(), clock, staleWhileRevalidate: '1h', setAsDefault: false });
    let calls = 0;
    const app = await serve(framework, cache, [
      { method: 'GET', path: '/s', cache: { ttl: '10s' }, handler: () => ({ body: `body ${++calls}` }) },
    ]);
    apps.push(app);
    await get(`${app.url}/s`);
    clock.advance(60_000);
    const after = await get(`${app.url}/s`);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(after.text).toBe('body 2');
  });

  it('concurrent misses of one key run the handler once and all get its body', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: false });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = await serve(framework, cache, [
      {
        method: 'GET',
        path: '/slow',
        cache: { ttl: '1m' },
        handler: async () => {
          calls++;
          await gate;
          return { body: 'slow body' };
        },
      },
    ]);
    apps.push(app);
    const responses = Array.from({ length: 5 }, () => get(`${app.url}/slow`));
    // Released once the four others wait on the first one's load (single flight).
    while (cache.stats().coalesced < 4) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const answers = await Promise.all(responses);
    expect(answers.map((answer) => answer.text)).toEqual(Array(5).fill('slow body'));
    expect(calls).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('x-cache') === 'MISS')).toHaveLength(1);
  });

  it('requests waiting on a response that cannot be stored run their own handlers', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: false });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = await serve(framework, cache, [
      {
        method: 'GET',
        path: '/cookie',
        cache: { ttl: '1m' },
        handler: async () => {
          const n = ++calls;
          if (n === 1) await gate;
          return { body: `body ${n}`, headers: { 'set-cookie': `s=${n}` } };
        },
      },
    ]);
    apps.push(app);
    const first = get(`${app.url}/cookie`);
    while (calls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = get(`${app.url}/cookie`);
    while (cache.stats().coalesced < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.headers.get('set-cookie')).toBe('s=1');
    expect(b.headers.get('set-cookie')).toBe('s=2');
    expect(b.text).toBe('body 2');
  });
});
