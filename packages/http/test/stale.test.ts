// A route's `staleWhileRevalidate`: past the TTL, the request that finds the response
// stale runs the handler (MISS) while requests that come meanwhile are sent the stale
// response at once (`X-Cache: STALE`); past the window, or after an invalidation, nothing
// stale is sent. Over real HTTP, both frameworks, on the cache's fake clock.
import { createCache, type Duration } from '@cachewise/core';
import { deferred } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type App, FRAMEWORKS, type Framework, fakeClock, get, serve } from './helpers.js';

const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

async function setup(framework: Framework, swr: Duration | undefined) {
  const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const cache = createCache({ store: memoryStore({ clock }), clock, jitter: 0, setAsDefault: false });
  let version = 0;
  let gate: ReturnType<typeof deferred<void>> | undefined;
  const app = await serve(framework, cache, [
    {
      method: 'GET',
      path: '/users/:id',
      cache:
        swr === undefined
          ? { ttl: '10s', tags: ['users'] }
          : { ttl: '10s', tags: ['users'], staleWhileRevalidate: swr },
      handler: async () => {
        version++;
        const mine = version;
        if (gate !== undefined) await gate.promise;
        return { body: { version: mine } };
      },
    },
  ]);
  apps.push(app);
  return {
    app,
    clock,
    cache,
    handlerRuns: () => version,
    hold: () => {
      gate = deferred<void>();
      return gate;
    },
  };
}

describe.each(FRAMEWORKS)('X-Cache: STALE (%s)', (framework) => {
  it('past the TTL: the first request refreshes (MISS), requests meanwhile get the stale response', async () => {
    const { app, clock, handlerRuns, hold } = await setup(framework, '1m');
    const first = await get(`${app.url}/users/1`);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(JSON.parse(first.text)).toEqual({ version: 1 });

    clock.advance(15_000); // 5 s past the TTL, inside the window
    const gate = hold();
    const refreshing = get(`${app.url}/users/1`);
    while (handlerRuns() < 2) await new Promise((resolve) => setImmediate(resolve));
    const stale = await get(`${app.url}/users/1`);
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(JSON.parse(stale.text)).toEqual({ version: 1 });
    expect(stale.headers.get('age')).toBe('15');
    expect(stale.headers.get('cache-control')).toBe('private, max-age=0, stale-while-revalidate=60');
    expect(stale.headers.get('last-modified')).toBe(new Date(Date.UTC(2026, 0, 1, 12, 0, 0)).toUTCString());
    expect(stale.headers.get('etag')).toBe(first.headers.get('etag'));
    gate.resolve();
    const refreshed = await refreshing;
    expect(refreshed.headers.get('x-cache')).toBe('MISS');
    expect(JSON.parse(refreshed.text)).toEqual({ version: 2 });
    const after = await get(`${app.url}/users/1`);
    expect(after.headers.get('x-cache')).toBe('HIT');
    expect(JSON.parse(after.text)).toEqual({ version: 2 });
    expect(handlerRuns()).toBe(2);
  });

  it('a stale response answers a matching If-None-Match with 304', async () => {
    const { app, clock, handlerRuns, hold } = await setup(framework, '1m');
    const first = await get(`${app.url}/users/1`);
    clock.advance(15_000);
    const gate = hold();
    const refreshing = get(`${app.url}/users/1`);
    while (handlerRuns() < 2) await new Promise((resolve) => setImmediate(resolve));
    const conditional = await get(`${app.url}/users/1`, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(conditional.status).toBe(304);
    expect(conditional.headers.get('x-cache')).toBe('STALE');
    expect(conditional.text).toBe('');
    gate.resolve();
    await refreshing;
  });

  it('past the window, the request waits for the handler like any miss', async () => {
    const { app, clock, handlerRuns } = await setup(framework, '1m');
    await get(`${app.url}/users/1`);
    clock.advance(10_000 + 60_000);
    const late = await get(`${app.url}/users/1`);
    expect(late.headers.get('x-cache')).toBe('MISS');
    expect(JSON.parse(late.text)).toEqual({ version: 2 });
    expect(handlerRuns()).toBe(2);
  });

  it('after an invalidation of its tags nothing stale is sent', async () => {
    const { app, clock, cache, handlerRuns, hold } = await setup(framework, '1m');
    await get(`${app.url}/users/1`);
    clock.advance(15_000);
    await cache.invalidateTags(['users']);
    const gate = hold();
    const first = get(`${app.url}/users/1`);
    while (handlerRuns() < 2) await new Promise((resolve) => setImmediate(resolve));
    const second = get(`${app.url}/users/1`);
    gate.resolve();
    const answers = await Promise.all([first, second]);
    for (const answer of answers) {
      expect(answer.headers.get('x-cache')).not.toBe('STALE');
      expect(JSON.parse(answer.text)).toEqual({ version: 2 });
    }
  });

  it('without staleWhileRevalidate a stale entry is never sent: concurrent requests wait for one handler', async () => {
    const { app, clock, handlerRuns, hold } = await setup(framework, undefined);
    await get(`${app.url}/users/1`);
    clock.advance(15_000);
    const gate = hold();
    const first = get(`${app.url}/users/1`);
    while (handlerRuns() < 2) await new Promise((resolve) => setImmediate(resolve));
    const second = get(`${app.url}/users/1`);
    gate.resolve();
    const answers = await Promise.all([first, second]);
    expect(answers.map((answer) => answer.headers.get('x-cache'))).toEqual(['MISS', 'HIT']);
    expect(answers.map((answer) => JSON.parse(answer.text))).toEqual([{ version: 2 }, { version: 2 }]);
    expect(handlerRuns()).toBe(2);
  });
});
