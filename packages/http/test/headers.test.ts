// The seed's headers on MISS then HIT, Age and max-age on the cache's clock, 304s on a hit
// and on a miss, Vary, HEAD and POST, over real HTTP on Fastify and Express.
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, FRAMEWORKS, fakeClock, get, type Route, serve } from './helpers.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

function setup(framework: (typeof FRAMEWORKS)[number], routes: Route[], defaults = {}) {
  const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const cache = createCache({ store: memoryStore(), clock, jitter: 0, setAsDefault: false });
  return serve(framework, cache, routes, defaults).then((app) => {
    apps.push(app);
    return { app, clock, cache };
  });
}

describe.each(FRAMEWORKS)('%s', (framework) => {
  it('answers a MISS then a HIT with ETag, Last-Modified, Cache-Control, Age and X-Cache, running the handler once', async () => {
    let calls = 0;
    const { app, clock } = await setup(framework, [
      {
        method: 'GET',
        path: '/users/:id',
        cache: { ttl: '30s' },
        handler: ({ params }) => ({ body: { id: params.id, n: ++calls }, headers: { 'x-custom': 'kept' } }),
      },
    ]);
    const miss = await get(`${app.url}/users/1`);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    expect(miss.headers.get('last-modified')).toBe('Thu, 01 Jan 2026 12:00:00 GMT');
    expect(miss.headers.get('cache-control')).toBe('private, max-age=30');
    expect(miss.headers.get('age')).toBe('0');
    expect(JSON.parse(miss.text)).toEqual({ id: '1', n: 1 });

    clock.advance(10_000);
    const hit = await get(`${app.url}/users/1`);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.text).toBe(miss.text);
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('last-modified')).toBe(miss.headers.get('last-modified'));
    expect(hit.headers.get('content-type')).toBe(miss.headers.get('content-type'));
    expect(hit.headers.get('x-custom')).toBe('kept');
    expect(hit.headers.get('cache-control')).toBe('private, max-age=20');
    expect(hit.headers.get('age')).toBe('10');

    clock.advance(15_000);
    const later = await get(`${app.url}/users/1`);
    expect(later.headers.get('cache-control')).toBe('private, max-age=5');
    expect(later.headers.get('age')).toBe('25');

    clock.advance(5_000);
    const expired = await get(`${app.url}/users/1`);
    expect(expired.headers.get('x-cache')).toBe('MISS');
    expect(JSON.parse(expired.text)).toEqual({ id: '1', n: 2 });
    expect(calls).toBe(2);
  });

  it('sends public and stale-while-revalidate when the route says so, and route options override the defaults', async () => {
    const { app } = await setup(
      framework,
      [
        {
          method: 'GET',
          path: '/a',
          cache: { ttl: '1m', public: true, staleWhileRevalidate: '30s' },
          handler: () => ({ body: 'a' }),
        },
      ],
      { ttl: '5m' },
    );
    const response = await get(`${app.url}/a`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=30');
  });

  it('answers If-None-Match and If-Modified-Since with 304 and no body, on a hit and on a miss', async () => {
    let calls = 0;
    const { app, cache } = await setup(framework, [
      {
        method: 'GET',
        path: '/doc',
        cache: { ttl: '1m', tags: ['doc'] },
        handler: () => ({ body: `same body ${++calls > 0}` }),
      },
    ]);
    const first = await get(`${app.url}/doc`);
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;

    for (const conditional of [
      { 'if-none-match': etag },
      { 'if-none-match': `W/${etag}, "other"` },
      { 'if-modified-since': lastModified },
    ]) {
      const hit = await get(`${app.url}/doc`, { headers: conditional });
      expect(hit.status, JSON.stringify(conditional)).toBe(304);
      expect(hit.text).toBe('');
      expect(hit.headers.get('etag')).toBe(etag);
      expect(hit.headers.get('x-cache')).toBe('HIT');
    }
    expect((await get(`${app.url}/doc`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    expect(
      (await get(`${app.url}/doc`, { headers: { 'if-modified-since': new Date(Date.UTC(2025, 0, 1)).toUTCString() } }))
        .status,
    ).toBe(200);

    // A miss whose fresh body has the ETag the client holds: 304 too.
    await cache.invalidateTags(['doc']);
    const miss = await get(`${app.url}/doc`, { headers: { 'if-none-match': etag } });
    expect(miss.status).toBe(304);
    expect(miss.text).toBe('');
    expect(miss.headers.get('x-cache')).toBe('MISS');
    await cache.invalidateTags(['doc']);
    const missSince = await get(`${app.url}/doc`, { headers: { 'if-modified-since': lastModified } });
    expect(missSince.status).toBe(304);
    expect(calls).toBe(3);
  });

  it('keys by the Vary headers: two Accept-Language values make two entries, neither read by the other', async () => {
    let calls = 0;
    const { app } = await setup(framework, [
      {
        method: 'GET',
        path: '/greeting',
        cache: { ttl: '1m', vary: ['Accept-Language'] },
        handler: ({ headers }) => ({ body: `${headers['accept-language'] === 'fr' ? 'bonjour' : 'hello'} ${++calls}` }),
      },
    ]);
    const fr = await get(`${app.url}/greeting`, { headers: { 'accept-language': 'fr' } });
    const en = await get(`${app.url}/greeting`, { headers: { 'accept-language': 'en' } });
    expect([fr.text, en.text]).toEqual(['bonjour 1', 'hello 2']);
    expect(fr.headers.get('vary')).toBe('accept-language');
    const frAgain = await get(`${app.url}/greeting`, { headers: { 'accept-language': 'fr' } });
    const enAgain = await get(`${app.url}/greeting`, { headers: { 'accept-language': 'en' } });
    expect([frAgain.text, enAgain.text]).toEqual(['bonjour 1', 'hello 2']);
    expect([frAgain.headers.get('x-cache'), enAgain.headers.get('x-cache')]).toEqual(['HIT', 'HIT']);
    // No header at all is a third variant, not the empty value's nor another's.
    expect((await get(`${app.url}/greeting`)).text).toBe('hello 3');
    expect(calls).toBe(3);
  });

  it('keys the query sorted by name, duplicates in order, percent-encoding normalised', async () => {
    let calls = 0;
    const { app } = await setup(framework, [
      { method: 'GET', path: '/search', cache: { ttl: '1m' }, handler: () => ({ body: `result ${++calls}` }) },
    ]);
    const first = await get(`${app.url}/search?b=2&a=x%20y&a=z`);
    expect((await get(`${app.url}/search?a=x+y&b=2&a=z`)).text).toBe(first.text);
    expect((await get(`${app.url}/search?a=%78%20y&a=z&b=%32`)).text).toBe(first.text);
    expect((await get(`${app.url}/search?a=z&a=x%20y&b=2`)).text).not.toBe(first.text);
    expect(calls).toBe(2);
  });

  it('answers HEAD from the GET entry, without a body; a HEAD miss runs the handler and stores nothing', async () => {
    let calls = 0;
    const { app } = await setup(framework, [
      { method: 'GET', path: '/h', cache: { ttl: '1m' }, handler: () => ({ body: `body ${++calls}` }) },
    ]);
    const headMiss = await get(`${app.url}/h`, { method: 'HEAD' });
    expect(headMiss.status).toBe(200);
    expect(headMiss.headers.get('x-cache')).toBe('MISS');
    const miss = await get(`${app.url}/h`);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const head = await get(`${app.url}/h`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(head.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(head.headers.get('content-length')).toBe(String(Buffer.byteLength(miss.text)));
    expect(calls).toBe(2);
  });

  it('caches POST only on a route that opts in, keyed by its body', async () => {
    let calls = 0;
    const { app } = await setup(framework, [
      { method: 'POST', path: '/plain', cache: { ttl: '1m' }, handler: () => ({ body: `plain ${++calls}` }) },
      {
        method: 'POST',
        path: '/query',
        cache: { ttl: '1m', methods: ['POST'] },
        handler: ({ body }) => ({ body: { body, n: ++calls } }),
      },
    ]);
    const post = (path: string, body: unknown) =>
      get(`${app.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/plain', { a: 1 })).headers.get('x-cache')).toBeNull();
    expect((await post('/plain', { a: 1 })).text).toBe('plain 2');
    const first = await post('/query', { a: 1, b: 2 });
    expect(first.headers.get('x-cache')).toBe('MISS');
    const again = await post('/query', { b: 2, a: 1 });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.text).toBe(first.text);
    expect(JSON.parse((await post('/query', { a: 2 })).text).n).toBe(4);
    expect(calls).toBe(4);
    // A body no parser read cannot be keyed: Express has no text parser here, so it bypasses.
    const text = await get(`${app.url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.headers.get('x-cache')).toBe(framework === 'express' ? null : 'MISS');
  });
});
