// CachewiseInterceptor and DI-resolved decorators in a real Nest application over real
// HTTP, on Express and on Fastify, on the memory store.

import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Cache } from '@cachewise/core';
import { fakeClock } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { Controller, Get, Module, Query, Render, UseInterceptors } from '@nestjs/common';
import { APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStore } from '../../core/test/fault-store.js';
import { CachewiseInterceptor, CachewiseModule, getCacheToken } from '../src/index.js';
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

  it('applied globally and on a controller: once on one cache; on two, the closest to the handler stores', async () => {
    const other = await serve(
      adapter,
      CachewiseModule.forRoot({ store: () => memoryStore() }),
      CachewiseModule.forRoot({ name: 'pages', store: () => memoryStore(), namespace: 'pages' }),
      [{ provide: APP_INTERCEPTOR, useClass: CachewiseInterceptor }],
    );
    try {
      const users = [await fetch(`${other.url}/users/1`), await fetch(`${other.url}/users/1`)];
      expect(users.map((response) => response.headers.get('x-cache'))).toEqual(['MISS', 'HIT']);
      expect(await users[1]!.json()).toEqual(await users[0]!.json());
      expect(other.controller.runs).toBe(1);

      const pages = [await fetch(`${other.url}/pages/1`), await fetch(`${other.url}/pages/1`)];
      expect(pages.map((response) => response.headers.get('x-cache'))).toEqual(['MISS', 'HIT']);
      expect(await pages[1]!.json()).toEqual(await pages[0]!.json());
      expect(other.app.get(PagesController).runs).toBe(1);
      // Stored on 'pages', which the controller names: clearing it drops the response.
      await other.app.get<Cache>(getCacheToken('pages')).clear();
      const cleared = await fetch(`${other.url}/pages/1`);
      expect(cleared.headers.get('x-cache')).toBe('MISS');
      expect(((await cleared.json()) as { run: number }).run).toBe(2);
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

describe.each(ADAPTERS)('%s, a store that fails', (adapter) => {
  it('lets the handler answer while the store rejects or hangs, then caches again', async () => {
    const store = faultStore();
    const other = await serve(
      adapter,
      CachewiseModule.forRoot({ store: () => store, storeTimeout: '20ms', circuitBreaker: false }),
    );
    try {
      const get = () => fetch(`${other.url}/users/1`);
      for (const mode of ['reject', 'throw', 'hang'] as const) {
        store.all(mode);
        const runs = other.controller.runs;
        const answers = [await get(), await get()];
        expect(answers.map((response) => [mode, response.status, response.headers.get('x-cache')])).toEqual([
          [mode, 200, 'MISS'],
          [mode, 200, 'MISS'],
        ]);
        expect(((await answers[1]!.json()) as { run: number }).run).toBe(runs + 2);
        for (const hung of [...store.hung]) hung.fail();
      }
      store.all('ok');
      await (await get()).arrayBuffer();
      expect((await get()).headers.get('x-cache')).toBe('HIT');
      // Closing waits for a store that hangs for at most about twice `storeTimeout`.
      store.mode.close = 'hang';
    } finally {
      await other.close();
    }
    expect(other.cache.closed).toBe(true);
  });
});

describe('express, a template (@Render)', () => {
  @Controller()
  @UseInterceptors(CachewiseInterceptor)
  class Greetings {
    runs = 0;

    @Get('greeting')
    @Render('greeting')
    greet(@Query('name') name: string): { name: string } {
      this.runs++;
      return { name };
    }
  }

  it('is left to Nest, which renders the value the handler returns', async () => {
    @Module({ imports: [CachewiseModule.forRoot({ store: () => memoryStore() })], controllers: [Greetings] })
    class App {}
    const app = await NestFactory.create<NestExpressApplication>(App, new ExpressAdapter(), { logger: false });
    // A template engine of two lines: {{name}} is replaced by the value's name.
    app.engine('txt', (path: string, values: { name: string }, done: (error: unknown, html?: string) => void) => {
      readFile(path, 'utf8').then((text) => done(null, text.replace('{{name}}', values.name)), done);
    });
    app.setBaseViewsDir(fileURLToPath(new URL('./fixtures/views', import.meta.url)));
    app.setViewEngine('txt');
    await app.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      for (const name of ['Ada', 'Ada']) {
        const response = await fetch(`${url}/greeting?name=${name}`);
        expect(response.headers.get('x-cache')).toBeNull();
        expect(await response.text()).toBe(`Hello, ${name}.\n`);
      }
      expect(app.get(Greetings).runs).toBe(2);
    } finally {
      await app.close();
    }
  });
});
