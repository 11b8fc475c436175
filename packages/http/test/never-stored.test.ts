// What is never stored (the cache-poisoning rules), bodies over maxBodyBytes and streams
// passing through, on Fastify and Express.
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type Answer, type App, FRAMEWORKS, get, type Route, serve } from './helpers.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function setup(framework: (typeof FRAMEWORKS)[number], routes: Route[]) {
  const cache = createCache({ store: memoryStore(), setAsDefault: false });
  const app = await serve(framework, cache, routes);
  apps.push(app);
  return app;
}

/** Requests `path` twice and returns both answers' X-Cache and bodies, and the handler calls. */
async function twice(app: App, path: string, init: RequestInit = {}) {
  const first = await get(`${app.url}${path}`, init);
  const second = await get(`${app.url}${path}`, init);
  return { first, second };
}

describe.each(FRAMEWORKS)('%s', (framework) => {
  const refused: Array<[string, Answer]> = [
    ['Set-Cookie', { headers: { 'set-cookie': 'session=abc' } }],
    ['Cache-Control: private', { headers: { 'cache-control': 'private' } }],
    ['Cache-Control: no-store', { headers: { 'cache-control': 'no-store' } }],
    ['Cache-Control: no-cache', { headers: { 'cache-control': 'max-age=60, no-cache' } }],
    ['a Vary header the route does not key on', { headers: { vary: 'Cookie' } }],
    ['Vary: *', { headers: { vary: '*' } }],
    ['status 404', { status: 404 }],
    ['status 500', { status: 500 }],
    ['status 206', { status: 206 }],
  ];

  it.each(refused)('never stores a response with %s', async (_name, answer) => {
    let calls = 0;
    const app = await setup(framework, [
      { method: 'GET', path: '/r', cache: { ttl: '1m' }, handler: () => ({ ...answer, body: `body ${++calls}` }) },
    ]);
    const { first, second } = await twice(app, '/r');
    expect(first.text).toBe('body 1');
    expect(second.text).toBe('body 2');
    expect(second.headers.get('x-cache')).toBe('MISS');
    // Its own headers pass through as the handler set them.
    if (answer.headers?.['set-cookie'] !== undefined) expect(second.headers.get('set-cookie')).toBe('session=abc');
    expect(calls).toBe(2);
  });

  it('stores the statuses a route lists in `statuses`', async () => {
    let calls = 0;
    const app = await setup(framework, [
      {
        method: 'GET',
        path: '/gone',
        cache: { ttl: '1m', statuses: [200, 404] },
        handler: () => ({ status: 404, body: `${++calls}` }),
      },
    ]);
    const { second } = await twice(app, '/gone');
    expect(second.status).toBe(404);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(calls).toBe(1);
  });

  it('never caches a request with Authorization (read or write), unless the route is public', async () => {
    let calls = 0;
    const app = await setup(framework, [
      {
        method: 'GET',
        path: '/me',
        cache: { ttl: '1m' },
        handler: ({ headers }) => ({ body: `${headers.authorization} ${++calls}` }),
      },
      {
        method: 'GET',
        path: '/pub',
        cache: { ttl: '1m', public: true },
        handler: () => ({ body: `public ${++calls}` }),
      },
    ]);
    await get(`${app.url}/me`); // stored, without credentials
    const alice = await twice(app, '/me', { headers: { authorization: 'Bearer alice' } });
    expect([alice.first.text, alice.second.text]).toEqual(['Bearer alice 2', 'Bearer alice 3']);
    expect(alice.second.headers.get('x-cache')).toBeNull();
    const pub = await twice(app, '/pub', { headers: { authorization: 'Bearer bob' } });
    expect(pub.second.headers.get('x-cache')).toBe('HIT');
    expect(pub.second.text).toBe('public 4');
  });

  it('passes a body over maxBodyBytes through uncached, and caches one at the limit', async () => {
    let calls = 0;
    const app = await setup(framework, [
      {
        method: 'GET',
        path: '/big',
        cache: { ttl: '1m', maxBodyBytes: 10 },
        handler: () => ({ body: `${'x'.repeat(10)}${++calls}` }),
      },
      {
        method: 'GET',
        path: '/fits',
        cache: { ttl: '1m', maxBodyBytes: 10 },
        handler: () => ({ body: `${'y'.repeat(9)}${++calls}` }),
      },
    ]);
    const big = await twice(app, '/big');
    expect([big.first.text, big.second.text]).toEqual([`${'x'.repeat(10)}1`, `${'x'.repeat(10)}2`]);
    expect(big.second.headers.get('x-cache')).toBe('MISS');
    const fits = await twice(app, '/fits');
    expect(fits.second.headers.get('x-cache')).toBe('HIT');
  });

  it('takes 1 MiB as the default maxBodyBytes', async () => {
    const app = await setup(framework, [
      { method: 'GET', path: '/mib', cache: { ttl: '1m' }, handler: () => ({ body: 'm'.repeat(1024 * 1024) }) },
      { method: 'GET', path: '/over', cache: { ttl: '1m' }, handler: () => ({ body: 'o'.repeat(1024 * 1024 + 1) }) },
    ]);
    expect((await twice(app, '/mib')).second.headers.get('x-cache')).toBe('HIT');
    expect((await twice(app, '/over')).second.headers.get('x-cache')).toBe('MISS');
  });

  it('passes a streamed body through as it is written, uncached', async () => {
    let calls = 0;
    const app = await setup(framework, [
      { method: 'GET', path: '/stream', cache: { ttl: '1m' }, handler: () => ({ stream: ['a', 'b', `${++calls}`] }) },
    ]);
    const { first, second } = await twice(app, '/stream');
    expect([first.text, second.text]).toEqual(['ab1', 'ab2']);
    expect(second.headers.get('x-cache')).toBe('MISS');
    expect(second.headers.get('etag')).toBeNull();
  });
});
