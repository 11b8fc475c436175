// CachewiseInterceptor and DI-resolved decorators in a real Nest application over real
// HTTP, on Express and on Fastify, on the memory store.

import { Cache } from '@cachewise/core';
import { fakeClock } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachewiseModule, getCacheToken } from '../src/index.js';
import { ADAPTERS, PagesController, type Served, serve } from './app.js';
import { httpSuite } from './http-suite.js';

describe.each(ADAPTERS)('%s, memory store', (adapter) => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(adapter, CachewiseModule.forRoot({ store: () => memoryStore(), namespace: 'e2e' }));
  });
  afterAll(async () => {
    await served?.close();
  });
  httpSuite(() => served);

  it('CachewiseInterceptor.for(name) caches on the named cache', async () => {
    const other = await serve(
      adapter,
      CachewiseModule.forRoot({ store: () => memoryStore() }),
      CachewiseModule.forRoot({ name: 'pages', store: () => memoryStore(), namespace: 'pages' }),
    );
    const first = await fetch(`${other.url}/pages/1`);
    const second = await fetch(`${other.url}/pages/1`);
    expect([first.headers.get('x-cache'), second.headers.get('x-cache')]).toEqual(['MISS', 'HIT']);
    expect(await second.json()).toEqual(await first.json());
    expect(other.app.get(PagesController).runs).toBe(1);
    const pages = other.app.get<Cache>(getCacheToken('pages'));
    expect(pages.stats().hits).toBeGreaterThanOrEqual(1);
    expect(other.cache.stats().hits + other.cache.stats().misses).toBe(0);
    await other.close();
  });

  it("serves X-Cache: STALE past the TTL while one request's handler refreshes (staleWhileRevalidate)", async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0));
    const other = await serve(
      adapter,
      CachewiseModule.forRoot({ store: () => memoryStore({ clock }), clock, jitter: 0, namespace: 'stale' }),
    );
    try {
      const get = (path: string) => fetch(`${other.url}${path}`);
      const first = await get('/stale/1');
      expect(first.headers.get('x-cache')).toBe('MISS');
      const body = await first.json();
      clock.advance(15_000);
      let release!: () => void;
      other.controller.gate = new Promise<void>((resolve) => (release = resolve));
      const runs = other.controller.runs;
      const refreshing = get('/stale/1');
      while (other.controller.runs === runs) await new Promise((resolve) => setImmediate(resolve));
      const stale = await get('/stale/1');
      expect(stale.headers.get('x-cache')).toBe('STALE');
      expect(stale.headers.get('age')).toBe('15');
      expect(await stale.json()).toEqual(body);
      release();
      const refreshed = await refreshing;
      expect(refreshed.headers.get('x-cache')).toBe('MISS');
      expect(((await refreshed.json()) as { run: number }).run).toBe(runs + 1);
      const hit = await get('/stale/1');
      expect(hit.headers.get('x-cache')).toBe('HIT');
      expect(((await hit.json()) as { run: number }).run).toBe(runs + 1);
    } finally {
      await other.close();
    }
  });

  it('closes the cache with the application', async () => {
    const other = await serve(adapter, CachewiseModule.forRoot({ store: () => memoryStore() }));
    await other.close();
    expect(other.cache.closed).toBe(true);
  });
});
