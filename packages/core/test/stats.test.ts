import 'reflect-metadata';
import { type Cache, Cached, createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, flush } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

const newCache = (): Cache => createCache({ store: memoryStore(), namespace: 'stats', setAsDefault: true });

describe('stats', () => {
  it('start at zero with a hit rate of 0', () => {
    const stats = newCache().stats();
    expect(stats).toMatchObject({
      hits: 0,
      misses: 0,
      hitRate: 0,
      loads: 0,
      loadErrors: 0,
      storeErrors: 0,
      coalesced: 0,
    });
    expect(stats.byMethod).toEqual({});
    expect(stats.advice).toBeUndefined();
  });

  it('count hits, misses, loads, load errors and coalesced callers, in total and by method', async () => {
    const cache = newCache();
    const gate = deferred<number>();
    class Users {
      @Cached()
      async find(id: number): Promise<number> {
        if (id < 0) throw new Error('bad id');
        return id === 9 ? gate.promise : id;
      }
    }
    class Orders {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const users = new Users();
    await users.find(1); // miss + load
    await users.find(1); // hit
    await users.find(1); // hit
    await users.find(-1).catch(() => {}); // miss + load + load error
    const slow = [users.find(9), users.find(9), users.find(9)]; // 3 misses, 1 load, 2 coalesced
    await flush();
    gate.resolve(9);
    await Promise.all(slow);
    await new Orders().find(1); // miss + load

    const stats = cache.stats();
    expect(stats.byMethod['Users.find']).toEqual({
      hits: 2,
      misses: 5,
      staleHits: 0,
      staleRevalidating: 0,
      staleOnError: 0,
      staleOnLockTimeout: 0,
      staleInvalidated: 0,
      refreshes: 0,
      earlyRefreshes: 0,
      refreshErrors: 0,
      loads: 3,
      loadErrors: 1,
      storeErrors: 0,
      coalesced: 2,
      locksAcquired: 0,
      lockWaits: 0,
      lockTimeouts: 0,
      peerLoads: 0,
      lockErrors: 0,
      uncacheable: 0,
      hitRate: 2 / 7,
      offloadRate: 4 / 7,
    });
    expect(stats.byMethod['Orders.find']).toMatchObject({ hits: 0, misses: 1, loads: 1, hitRate: 0 });
    expect(stats).toMatchObject({
      hits: 2,
      misses: 6,
      loads: 4,
      loadErrors: 1,
      coalesced: 2,
      hitRate: 2 / 8,
      offloadRate: 4 / 8,
    });
  });

  it('offloadRate counts the calls that did not run a loader of their own (the quick-start burst)', async () => {
    const cache = newCache();
    const gates = Array.from({ length: 9 }, () => deferred<number>());
    let queries = 0;
    class Users {
      @Cached()
      async find(id: number): Promise<number> {
        queries++;
        return gates[id]!.promise;
      }
    }
    const users = new Users();
    // 9 keys, 4 concurrent callers each: 36 calls, 9 queries.
    const calls = Array.from({ length: 36 }, (_, i) => users.find(i % 9));
    await flush();
    for (const [id, gate] of gates.entries()) gate.resolve(id);
    await Promise.all(calls);
    const stats = cache.stats();
    expect(queries).toBe(9);
    expect(stats).toMatchObject({ hits: 0, misses: 36, loads: 9, coalesced: 27, hitRate: 0, offloadRate: 0.75 });
    expect(stats.byMethod['Users.find']!.offloadRate).toBe(0.75);
  });

  it('are a snapshot, not a live view', async () => {
    const cache = newCache();
    const before = cache.stats();
    await cache.get('k');
    expect(before.misses).toBe(0);
    expect(cache.stats().misses).toBe(1);
  });

  it('are per cache', async () => {
    const a = newCache();
    const b = createCache({ store: memoryStore(), namespace: 'b' });
    await a.wrap('k', () => 1);
    expect(b.stats().loads).toBe(0);
    expect(a.stats().loads).toBe(1);
  });

  it('label wrap calls by their name, or "#wrap"; get and set as "#get" and "#set"', async () => {
    const cache = newCache();
    await cache.wrap('a', () => 1);
    await cache.wrap('b', () => 1, { name: 'prices' });
    await cache.get('a');
    await cache.set('c', 3);
    expect(Object.keys(cache.stats().byMethod).sort()).toEqual(['#get', '#set', '#wrap', 'prices']);
  });

  it('keep at most maxLabels rows; further labels count in one #other row and keep nothing per name', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'labels', maxLabels: 3, setAsDefault: true });
    for (let i = 0; i < 10_000; i++) await cache.wrap(`k${i}`, () => i, { name: `name-${i}` });
    const stats = cache.stats();
    expect(Object.keys(stats.byMethod).sort()).toEqual(['#other', 'name-0', 'name-1', 'name-2']);
    expect(stats.byMethod['#other']).toMatchObject({ misses: 9_997, loads: 9_997 });
    expect(stats).toMatchObject({ misses: 10_000, loads: 10_000 });
    // a name that had a row keeps counting in it
    await cache.wrap('k0', () => 0, { name: 'name-0' });
    expect(cache.stats().byMethod['name-0']).toMatchObject({ hits: 1 });
  });

  it('refuse a maxLabels that is not a whole number of at least 1, naming it', () => {
    for (const bad of [0, -1, 1.5, '10', Number.NaN]) {
      expect(() => createCache({ store: memoryStore(), maxLabels: bad as never })).toThrow(
        /`maxLabels` must be a whole number of at least 1/,
      );
    }
  });

  it('keep memory bounded under 200,000 distinct wrap names (default cap)', async () => {
    const cache = createCache({ store: memoryStore({ maxEntries: 10 }), namespace: 'labels2', setAsDefault: true });
    for (let i = 0; i < 200_000; i++) await cache.wrap('k', () => i, { name: `n${i}` });
    expect(Object.keys(cache.stats().byMethod)).toHaveLength(1_001);
    expect(cache.stats().byMethod['#other']!.hits + cache.stats().byMethod['#other']!.misses).toBe(199_000);
  });
});

describe('advice', () => {
  async function lookups(cache: Cache, hits: number, misses: number): Promise<void> {
    await cache.set('hot', 1);
    for (let i = 0; i < hits; i++) await cache.get('hot');
    for (let i = 0; i < misses; i++) await cache.get(`cold${i}`);
  }

  it('appears when the offload rate is under 70% after at least 1,000 lookups', async () => {
    const cache = newCache();
    await lookups(cache, 699, 301);
    const stats = cache.stats();
    expect(stats.hits + stats.misses).toBe(1_000);
    expect(stats.advice).toMatch(/only 69\.9% of 1000 calls were answered without running a loader/);
    expect(stats.advice).toMatch(/TTL/);
  });

  it('does not appear when coalesced callers make up the misses (bursty load on cold keys)', async () => {
    const cache = newCache();
    const gate = deferred<number>();
    const burst = Array.from({ length: 1_000 }, () => cache.wrap('cold', () => gate.promise));
    await flush();
    gate.resolve(1);
    await Promise.all(burst);
    const stats = cache.stats();
    expect(stats.hitRate).toBe(0);
    expect(stats.offloadRate).toBe(0.999);
    expect(stats.advice).toBeUndefined();
  });

  it('does not appear at exactly 70%', async () => {
    const cache = newCache();
    await lookups(cache, 700, 300);
    expect(cache.stats().hitRate).toBe(0.7);
    expect(cache.stats().advice).toBeUndefined();
  });

  it('does not appear before 1,000 lookups, however low the hit rate', async () => {
    const cache = newCache();
    await lookups(cache, 0, 999);
    expect(cache.stats().hitRate).toBe(0);
    expect(cache.stats().advice).toBeUndefined();
    await cache.get('one-more');
    expect(cache.stats().advice).toBeDefined();
  });
});
