// CachewiseInterceptor and DI-resolved decorators in a real Nest application over real
// HTTP, on Express and on Fastify, on the memory store.

import { Cache } from '@cachewise/core';
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

  it('closes the cache with the application', async () => {
    const other = await serve(adapter, CachewiseModule.forRoot({ store: () => memoryStore() }));
    await other.close();
    expect(other.cache.closed).toBe(true);
  });
});
