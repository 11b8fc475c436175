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

  it("runs a provider's @Cached method on the module's cache, resolved through DI", async () => {
    const first = await (await get('/direct/9')).json();
    const second = await (await get('/direct/9')).json();
    expect(second).toEqual(first);
    expect(app().cache.stats().byMethod['Users.find']?.hits).toBeGreaterThanOrEqual(1);
  });
}
