// Runs the guides' snippets on the memory store (the Redis ones run in
// snippets-redis.test.ts): each module is the code a page prints plus the setup it takes
// as given, and each test checks what the page says the code does.

import type { AddressInfo } from 'node:net';
import { type Cache, createCache, getDefaultCache, isKeyDerivationError, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { db, logger, metrics } from '../snippets/support.js';

let namespaces = 0;
/** A new default cache, so classes of one name on different pages never share entries. */
function freshDefault(): Cache {
  const cache = createCache({ store: memoryStore(), namespace: `docs${++namespaces}`, setAsDefault: true });
  return cache;
}

describe('getting started', () => {
  it('caches findById and drops it on rename', async () => {
    const { cache } = await import('../snippets/getting-started/create-cache.js');
    expect(getDefaultCache()).toBe(cache); // the first cache created
    const { UserRepository } = await import('../snippets/getting-started/user-repository.js');
    const users = new UserRepository();
    const reads = db.counts.reads;
    expect(await users.findById(2)).toEqual({ id: 2, name: 'Grace', email: 'grace@example.com' });
    await users.findById(2);
    expect(db.counts.reads).toBe(reads + 1);
    await users.rename(2, 'Grace H.');
    expect((await users.findById(2))?.name).toBe('Grace H.');
    expect(db.counts.reads).toBe(reads + 2);
  });

  it('uses the Cache API as the comments say', async () => {
    const { user, config, entry } = await import('../snippets/getting-started/cache-api.js');
    const { cache } = await import('../snippets/getting-started/create-cache.js');
    expect(user?.id).toBe(1);
    expect(config).toEqual({ flags: ['a'] });
    expect(entry?.tags).toEqual(['config']);
    expect(entry?.etag).toMatch(/^".+"$/);
    expect(await cache.get('config')).toBeUndefined(); // cleared
    expect(cache.stats().byMethod['users.find']?.misses).toBe(1);
  });

  it('cached(): keyFor drops the entry for those arguments', async () => {
    const { findUser } = await import('../snippets/getting-started/cached-function.js');
    const reads = db.counts.reads;
    await findUser(42); // deleted by the snippet: loads again
    await findUser(42); // a hit
    expect(db.counts.reads).toBe(reads + 1);
  });

  it('the default cache can be replaced and unset', async () => {
    const { cache } = await import('../snippets/getting-started/create-cache.js');
    const { admin } = await import('../snippets/getting-started/default-cache.js');
    expect(admin).not.toBe(cache);
    expect(getDefaultCache()).toBeUndefined();
    setDefaultCache(cache);
  });
});

describe('standard decorators', () => {
  it('the same repository, compiled without experimentalDecorators, caches and invalidates', async () => {
    // A path the type check of docs/test (legacy decorators) does not follow:
    // docs/snippets/standard has its own tsconfig.
    const file = new URL('../snippets/standard/user-repository.ts', import.meta.url).pathname;
    const { cache, UserRepository } = (await import(/* @vite-ignore */ file)) as {
      cache: Cache;
      UserRepository: new () => {
        findById(id: number): Promise<unknown>;
        rename(id: number, name: string): Promise<void>;
      };
    };
    setDefaultCache(cache);
    const users = new UserRepository();
    await users.findById(1);
    await users.findById(1);
    await users.rename(1, 'Ada K.');
    expect(await users.findById(1)).toMatchObject({ name: 'Ada K.' });
    expect(cache.stats().byMethod['UserRepository.findById']).toMatchObject({ hits: 1, misses: 2 });
  });
});

describe('decorators', () => {
  it('@Cached: shorthand, defaults, fixed and function tags, key, condition and unless', async () => {
    const cache = freshDefault();
    const { Catalog, UserRepository } = await import('../snippets/decorators/cached.js');
    const users = new UserRepository();
    expect(await users.roles()).toEqual(['admin', 'reader']);
    await users.count();
    await users.count();
    expect(cache.stats().byMethod['UserRepository.count']).toMatchObject({ hits: 1, misses: 1 });

    const catalog = new Catalog();
    await catalog.listProducts();
    await cache.invalidateTags(['catalog']);
    await catalog.listProducts();
    expect(cache.stats().byMethod['Catalog.listProducts']?.misses).toBe(2);

    await catalog.findOrder(7, 1);
    await cache.invalidateTags(['user:1']);
    await catalog.findOrder(7, 1);
    expect(cache.stats().byMethod['Catalog.findOrder']?.misses).toBe(2);

    await catalog.page('home');
    expect(await cache.get('page:home')).toEqual({ slug: 'home', html: '<h1>home</h1>' });

    await catalog.search({ text: 'tea', limit: 500 });
    expect(cache.stats().byMethod['Catalog.search']).toBeUndefined(); // not counted at all
    await catalog.search({ text: 'tea', limit: 10 });
    expect(cache.stats().byMethod['Catalog.search']?.misses).toBe(1);

    expect(await catalog.findByEmail('nobody@example.com')).toBeNull();
    expect(await catalog.findByEmail('nobody@example.com')).toBeNull();
    expect(cache.stats().byMethod['Catalog.findByEmail']?.hits).toBe(0); // null was not stored
  });

  it('cache: a function of the instance', async () => {
    freshDefault();
    const { UserRepository } = await import('../snippets/decorators/cache-option.js');
    const own = createCache({ store: memoryStore(), namespace: 'own' });
    await new UserRepository(own).findById(1);
    expect(own.stats().misses).toBe(1);
  });

  it('@Invalidates and methodKey drop the entries they name', async () => {
    const cache = freshDefault();
    const { UserRepository } = await import('../snippets/decorators/invalidates.js');
    const { dropOne, Admin } = await import('../snippets/decorators/method-key.js');
    const users = new UserRepository();
    const misses = () => cache.stats().byMethod['UserRepository.findById']?.misses;
    await users.findById(42);
    await users.findById(42);
    expect(misses()).toBe(1);
    await dropOne(cache);
    await users.findById(42);
    expect(misses()).toBe(2);
    await users.rename(42, 'D. Adams');
    expect((await users.findById(42))?.name).toBe('D. Adams');
    expect(misses()).toBe(3);
    await new Admin().remove(42);
    expect(await users.findById(42)).toBeNull();
    expect(misses()).toBe(4);
  });

  it('@CacheConfig names the class in stats', async () => {
    const cache = freshDefault();
    const { UserRepository } = await import('../snippets/decorators/cache-config.js');
    await new UserRepository().findById(1);
    expect(cache.stats().byMethod['users.findById']?.misses).toBe(1);
  });

  it('a method that does not return a Promise is refused when the class is defined', async () => {
    await import('../snippets/getting-started/entry.js'); // reflect-metadata: the check reads design:returntype
    await expect(import('../snippets/decorators/typed.js')).rejects.toThrow(/Promise/);
  });

  it('a subclass shares the entries of the class that declares the method', async () => {
    const cache = freshDefault();
    await import('../snippets/decorators/inheritance.js');
    expect(cache.stats().byMethod['UserRepository.findById']).toMatchObject({ hits: 1, misses: 1 });
  });
});

describe('errors, values and keys', () => {
  it('CacheOptionsError is a TypeError and a CacheError', async () => {
    const { classify } = await import('../snippets/errors/instanceof.js');
    expect(classify()).toEqual([true, true]);
  });

  it('the type guards tell a key derivation error', async () => {
    freshDefault();
    const { reports, filter } = await import('../snippets/errors/guards.js');
    const error = await reports.build(filter).catch((caught: unknown) => caught);
    expect(isKeyDerivationError(error)).toBe(true);
  });

  it('a refused value says which class and where', async () => {
    const { logged } = await import('../snippets/values/refused.js');
    expect(logged).toEqual([['User', '$.owner']]);
  });

  it('registered classes come back as instances', async () => {
    const { cache, Money, User } = await import('../snippets/values/classes.js');
    await cache.set('order', { owner: new User(1), total: new Money(1250) });
    const order = await cache.get<{ owner: unknown; total: unknown }>('order');
    expect(order?.owner).toBeInstanceOf(User);
    expect(order?.total).toEqual(new Money(1250));
    expect(order?.total).toBeInstanceOf(Money);
  });

  it('miss events show labels and keys', async () => {
    const { cache, logged } = await import('../snippets/keys/miss-events.js');
    await cache.wrap('answer', async () => 42, { name: 'answer' });
    expect(logged).toContainEqual(['answer', expect.stringContaining('answer')]);
  });

  it('a key option or a condition handles an argument that cannot be keyed', async () => {
    freshDefault();
    const { Reports } = await import('../snippets/keys/unkeyable.js');
    const reports = new Reports();
    const progress = vi.fn();
    await reports.report(1, progress);
    expect(await reports.report(1, progress)).toEqual({ id: 1, rows: 1 }); // a hit
    expect(await reports.exportCsv(2, progress)).toBe('id\n2\n'); // not cached, not refused
    expect(progress).toHaveBeenCalledTimes(2);
  });

  it('the invalidation page’s @Invalidates runs the write', async () => {
    freshDefault();
    const { UserRepository } = await import('../snippets/invalidation/invalidates.js');
    const writes = db.counts.writes;
    await new UserRepository().rename(1, 'Ada L.');
    expect(db.counts.writes).toBe(writes + 1);
  });
});

describe('memory store', () => {
  it('live values: a change to a returned object changes the entry', async () => {
    await import('../snippets/memory-store/create.js');
    const { users } = await import('../snippets/memory-store/live-values.js');
    expect((await users.findById(1))?.name).toBe('changed');
  });

  it('serialize: true hands out copies', async () => {
    const { cache } = await import('../snippets/memory-store/serialize.js');
    const value = { n: 1 };
    await cache.set('v', value);
    const read = await cache.get<{ n: number }>('v');
    expect(read).toEqual(value);
    expect(read).not.toBe(value);
  });
});

describe('observability', () => {
  it('stats() has the counters the page lists', async () => {
    const { stats } = await import('../snippets/observability/stats.js');
    for (const name of ['hits', 'misses', 'loads', 'storeErrors', 'coalesced', 'hitRate', 'offloadRate', 'byMethod']) {
      expect(stats).toHaveProperty(name);
    }
  });

  it('on() returns an unsubscribe function; error events reach the logger', async () => {
    const { cache } = await import('../snippets/getting-started/create-cache.js');
    const { logged } = await import('../snippets/observability/events.js');
    await cache.wrap('events-miss', async () => 1);
    expect(logged).toEqual([]); // unsubscribed
    await cache.wrap('events-error', async () => 1, { ttl: () => 'never' as '1m' });
    expect(logger.lines.some((line) => line.includes('"kind":"options"') && line.endsWith('cache error'))).toBe(true);
  });

  it('channels: a subscriber sees misses and times loads of any cache', async () => {
    const { seen, stop } = await import('../snippets/observability/channels.js');
    try {
      const cache = createCache({ store: memoryStore(), namespace: 'docs-channels' });
      await cache.wrap('a', async () => 1, { name: 'Prices.of' });
      await cache.wrap('a', async () => 1, { name: 'Prices.of' }); // a hit: neither a miss nor a load
      expect(seen.map((line) => line.slice(0, 4))).toEqual([
        ['miss', 'docs-channels', 'Prices.of', 'docs-channels:k:a'],
        ['load', 'Prices.of', 'ok', seen[1]![3]],
      ]);
      expect(typeof seen[1]![3]).toBe('number');
    } finally {
      stop();
    }
  });

  it('logger: the uncacheable-result warning goes to the logger, once per method', async () => {
    const { invoices } = await import('../snippets/observability/logger.js');
    const before = logger.lines.length;
    await invoices.find(1);
    await invoices.find(2);
    const added = logger.lines.slice(before);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^CACHEWISE_UNCACHEABLE: Invoices\.find returned a value the memory store cannot hold/);
  });

  it('otel: instrumentCache reports per-method counters to the meter provider', async () => {
    const { cache, reader, stop } = await import('../snippets/observability/otel.js');
    await cache.wrap('k', async () => 1, { name: 'Users.find' });
    await cache.wrap('k', async () => 1, { name: 'Users.find' });
    const { resourceMetrics } = await reader.collect();
    const metrics = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const hits = metrics.find((metric) => metric.descriptor.name === 'cachewise.hits');
    expect(hits?.dataPoints.map((point) => [point.attributes, point.value])).toEqual([
      [{ 'cache.namespace': 'shop', 'code.function': 'Users.find' }, 1],
    ]);
    stop();
  });

  it('prometheus: a scrape of /metrics shows the per-method counters under their Prometheus names', async () => {
    const { cache, meterProvider, server, stop } = await import('../snippets/observability/prometheus.js');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      await cache.wrap('k', async () => 1, { name: 'Users.find' });
      await cache.wrap('k', async () => 1, { name: 'Users.find' });
      const { port } = server.address() as AddressInfo;
      const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scrape.status).toBe(200);
      const text = await scrape.text();
      const labels = 'cache_namespace="catalog",code_function="Users.find",otel_scope_name="@cachewise/otel"';
      expect(text).toContain(`\ncachewise_calls_total{${labels}} 2\n`);
      expect(text).toContain(`\ncachewise_hits_total{${labels}} 1\n`);
      expect(text).toContain(`\ncachewise_loads_total{${labels}} 1\n`);
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      stop();
      await new Promise((resolve) => server.close(resolve));
      await meterProvider.shutdown();
    }
  });

  it('the periodic export sends gauges every minute', async () => {
    vi.useFakeTimers();
    try {
      await import('../snippets/observability/export.js');
      expect(metrics.gauges).toEqual([]);
      vi.advanceTimersByTime(60_000);
      expect(metrics.gauges.map((gauge) => gauge.name)).toContain('cache.hit_rate');
      expect(metrics.gauges.some((gauge) => gauge.labels?.method === 'users.find')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('writing a store', () => {
  it('fakeClock and deferred: the race in the example ends as its comments say', async () => {
    const { cache, pending } = await import('../snippets/stores/fake-clock.js');
    expect(await pending).toBe('old');
    expect(await cache.get('slow')).toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('HTTP', () => {
  it('Fastify: the second GET is a hit, and a tag invalidation drops it', async () => {
    const { app, cache } = await import('../snippets/http/fastify.js');
    const first = await app.inject({ method: 'GET', url: '/users/1' });
    const second = await app.inject({ method: 'GET', url: '/users/1' });
    expect(first.headers['x-cache']).toBe('MISS');
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.json()).toEqual(first.json());
    setDefaultCache(cache);
    const { UserRepository } = await import('../snippets/http/invalidate.js');
    await new UserRepository().rename('1', 'Ada');
    const third = await app.inject({ method: 'GET', url: '/users/1' });
    expect(third.headers['x-cache']).toBe('MISS');
    await app.close();
  });

  it('Express: the second GET is a hit', async () => {
    const { app } = await import('../snippets/http/express.js');
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      const url = `http://127.0.0.1:${address.port}/users/7`;
      const first = await fetch(url);
      const second = await fetch(url);
      expect(first.headers.get('x-cache')).toBe('MISS');
      expect(second.headers.get('x-cache')).toBe('HIT');
      expect(await second.json()).toEqual(await first.json());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

afterAll(async () => {
  await getDefaultCache()?.close();
});
