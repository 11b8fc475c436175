// The behaviour every adapter and store must show, over real HTTP.
import { expect, it } from 'vitest';
import type { Served } from './app.js';

export function httpSuite(app: () => Served): void {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${app().url}${path}`, { headers });

  it('answers a GET from the cache after the first one, with the same ETag; X-Cache tells which', async () => {
    const before = app().controller.runs;
    const first = await get('/users/1');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"/);
    const body = await first.json();
    const second = await get('/users/1');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('etag')).toBe(etag);
    expect(second.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(await second.json()).toEqual(body);
    expect(app().controller.runs).toBe(before + 1);
  });

  it('runs the handler once for concurrent requests of one cold URL', async () => {
    let release!: () => void;
    app().controller.gate = new Promise<void>((resolve) => (release = resolve));
    const before = app().controller.runs;
    const responses = Promise.all([1, 2, 3].map(() => get('/slow/1').then((response) => response.json())));
    while (app().controller.runs === before) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const bodies = await responses;
    expect(bodies).toEqual([1, 2, 3].map(() => ({ id: '1', run: before + 1 })));
    expect(app().controller.runs).toBe(before + 1);
  });

  it('answers If-None-Match with a 304 and no body', async () => {
    const first = await get('/users/2');
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const conditional = await get('/users/2', { 'if-none-match': etag });
    expect(conditional.status).toBe(304);
    expect(conditional.headers.get('etag')).toBe(etag);
    expect(await conditional.text()).toBe('');
  });

  it('does not cache POST; a POST that invalidates the tag makes the next GET run the handler', async () => {
    await (await get('/users/3')).arrayBuffer();
    const before = app().controller.runs;
    const post = () => fetch(`${app().url}/users/3`, { method: 'POST' });
    const first = await post();
    expect(first.status).toBe(201);
    expect(((await first.json()) as { renamed: string }).renamed).toBe('3');
    await (await post()).arrayBuffer();
    expect(app().controller.runs).toBe(before + 2);
    const after = await get('/users/3');
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(((await after.json()) as { run: number }).run).toBe(before + 3);
  });

  it('never stores a response with Set-Cookie or Cache-Control: private, nor an error', async () => {
    for (const path of ['/cookie', '/private']) {
      const before = app().controller.runs;
      const first = await get(path);
      const second = await get(path);
      expect(first.headers.get('x-cache')).toBe('MISS');
      expect(second.headers.get('x-cache')).toBe('MISS');
      await first.arrayBuffer();
      await second.arrayBuffer();
      expect(app().controller.runs).toBe(before + 2);
    }
    const before = app().controller.runs;
    expect((await get('/failing')).status).toBe(500);
    expect((await get('/failing')).status).toBe(500);
    expect(app().controller.runs).toBe(before + 2);
  });

  it('lets a request with Authorization through to the handler, unstored', async () => {
    const before = app().controller.runs;
    const first = await get('/users/40', { authorization: 'Bearer a' });
    const second = await get('/users/40', { authorization: 'Bearer a' });
    await first.arrayBuffer();
    await second.arrayBuffer();
    expect(second.headers.get('x-cache')).toBeNull();
    expect(app().controller.runs).toBe(before + 2);
  });

  it("keeps a string's own Content-Type, and keys by the Vary headers named", async () => {
    const first = await get('/text');
    const text = await first.text();
    const second = await get('/text');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await second.text()).toBe(text);

    const en = (await (await get('/vary', { 'accept-language': 'en' })).json()) as { run: number };
    const fr = await get('/vary', { 'accept-language': 'fr' });
    expect(fr.headers.get('x-cache')).toBe('MISS');
    expect(((await fr.json()) as { run: number }).run).toBe(en.run + 1);
    const enAgain = await get('/vary', { 'accept-language': 'en' });
    expect(enAgain.headers.get('x-cache')).toBe('HIT');
    expect(enAgain.headers.get('vary')).toBe('accept-language');
  });

  it('answers a body Nest cannot encode as Nest does, every time: the URL stays usable', async () => {
    const before = app().controller.runs;
    for (let i = 0; i < 3; i++) {
      const response = await get('/bigint');
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ statusCode: 500, message: 'Internal server error' });
    }
    expect(app().controller.runs).toBe(before + 3);
  });

  it('leaves a handler that sends its own response (@Res()) or redirects (@Redirect) to Nest', async () => {
    let before = app().controller.runs;
    for (let i = 1; i <= 2; i++) {
      const own = await get('/own');
      expect(own.headers.get('x-cache')).toBeNull();
      expect(await own.json()).toEqual({ run: before + i });
    }
    before = app().controller.runs;
    for (const id of ['5', '5', '6']) {
      const redirect = await fetch(`${app().url}/redirect/${id}`, { redirect: 'manual' });
      await redirect.arrayBuffer();
      expect(redirect.status).toBe(302);
      expect(redirect.headers.get('location')).toBe(`/users/${id}`);
      expect(redirect.headers.get('x-cache')).toBeNull();
    }
    expect(app().controller.runs).toBe(before + 3);
  });

  it('leaves server-sent events (@Sse) to Nest', async () => {
    const before = app().controller.runs;
    for (let i = 1; i <= 2; i++) {
      const events = await get('/events');
      expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(events.headers.get('x-cache')).toBeNull();
      expect(await events.text()).toMatch(new RegExp(`data: one\n\n.*data: run ${before + i}\n\n`, 's'));
    }
  });

  it('sends, without storing, no body, a stream, and a body over maxBodyBytes', async () => {
    for (const kind of ['none', 'stream', 'large']) {
      const before = app().controller.runs;
      for (let i = 1; i <= 2; i++) {
        const response = await get(`/uncached/${kind}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-cache')).toBe('MISS');
        const body = await response.text();
        if (kind === 'stream') expect(body).toBe(`run ${before + i}`);
        if (kind === 'large') expect(body).toHaveLength(1025);
      }
      expect(app().controller.runs).toBe(before + 2);
    }
  });

  it("answers a HEAD from GET's entry; a HEAD of a URL not cached runs the handler, storing nothing", async () => {
    const head = () => fetch(`${app().url}/users/50`, { method: 'HEAD' });
    const before = app().controller.runs;
    const cold = [await head(), await head()];
    expect(cold.map((response) => response.headers.get('x-cache'))).toEqual(['MISS', 'MISS']);
    expect(app().controller.runs).toBe(before + 2);
    const got = await get('/users/50');
    const body = await got.text();
    const warm = await head();
    expect(warm.status).toBe(200);
    expect(warm.headers.get('x-cache')).toBe('HIT');
    expect(warm.headers.get('etag')).toBe(got.headers.get('etag'));
    expect(warm.headers.get('content-length')).toBe(String(Buffer.byteLength(body)));
    expect(await warm.text()).toBe('');
    expect(app().controller.runs).toBe(before + 3);
  });

  it('keys by the path and the query, its pairs in any order', async () => {
    const first = await get('/users/51?b=2&a=1');
    const body = await first.json();
    const reordered = await get('/users/51?a=1&b=2');
    expect(reordered.headers.get('x-cache')).toBe('HIT');
    expect(await reordered.json()).toEqual(body);
    const other = await get('/users/51?a=1&b=3');
    expect(other.headers.get('x-cache')).toBe('MISS');
    await other.arrayBuffer();
  });

  it('answers 304 to an If-None-Match that lists the ETag, weak or not, or is *', async () => {
    const first = await get('/users/52');
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    for (const ifNoneMatch of [`"other", ${etag}`, `W/${etag}`, '*']) {
      const conditional = await get('/users/52', { 'if-none-match': ifNoneMatch });
      expect({ ifNoneMatch, status: conditional.status }).toEqual({ ifNoneMatch, status: 304 });
      expect(await conditional.text()).toBe('');
    }
    const mismatch = await get('/users/52', { 'if-none-match': '"other"' });
    expect(mismatch.status).toBe(200);
    await mismatch.arrayBuffer();
  });

  it("caches a POST when the route's methods include it, keyed by its body", async () => {
    const post = (body: unknown) =>
      fetch(`${app().url}/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const first = await post({ q: 'a' });
    const again = await post({ q: 'a' });
    const other = await post({ q: 'b' });
    expect([first, again, other].map((response) => response.headers.get('x-cache'))).toEqual(['MISS', 'HIT', 'MISS']);
    const [a, b, c] = (await Promise.all([first.json(), again.json(), other.json()])) as Array<{ body: unknown }>;
    expect(b).toEqual(a);
    expect(c!.body).toEqual({ q: 'b' });
  });

  it('sends and stores each kind of value as Nest sends it without the interceptor', async () => {
    for (const kind of ['number', 'boolean', 'string', 'buffer', 'object']) {
      const plain = await get(`/plain/value/${kind}`);
      const expected = { type: plain.headers.get('content-type'), body: await plain.text() };
      const miss = await get(`/value/${kind}`);
      const hit = await get(`/value/${kind}`);
      expect([miss.headers.get('x-cache'), hit.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
      for (const response of [miss, hit]) {
        expect({ kind, type: response.headers.get('content-type'), body: await response.text() }).toEqual({
          kind,
          ...expected,
        });
      }
    }
  });

  it("runs a provider's @Cached method on the module's cache, resolved through DI", async () => {
    const first = await (await get('/direct/9')).json();
    const second = await (await get('/direct/9')).json();
    expect(second).toEqual(first);
    expect(app().cache.stats().byMethod['Users.find']?.hits).toBeGreaterThanOrEqual(1);
  });
}
