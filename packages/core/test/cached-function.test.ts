import 'reflect-metadata';
import {
  type Cache,
  CacheOptionsError,
  cached,
  cachedIn,
  createCache,
  Invalidates,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

const newCache = (namespace = 'fn'): Cache =>
  createCache({ store: memoryStore(), namespace, jitter: 0, setAsDefault: true });

describe('cached(fn)', () => {
  it('caches a plain function by its arguments', async () => {
    const cache = newCache();
    let calls = 0;
    const findUser = cached(async (id: number) => ({ id, n: ++calls }), { name: 'findUser' });
    expect(await findUser(1)).toEqual({ id: 1, n: 1 });
    expect(await findUser(1)).toEqual({ id: 1, n: 1 });
    expect(await findUser(2)).toEqual({ id: 2, n: 2 });
    expect(cache.stats().byMethod.findUser).toMatchObject({ hits: 1, misses: 2, loads: 2 });
  });

  it("uses the function's own name by default", async () => {
    const cache = newCache();
    async function loadPrices(region: string): Promise<string> {
      return region;
    }
    const prices = cached(loadPrices);
    await prices('eu');
    expect(Object.keys(cache.stats().byMethod)).toEqual(['loadPrices']);
    expect(prices.keyFor('eu').storageKey(cache)).toBe('fn:m:loadPrices:s"eu"');
  });

  it('requires a name when the function is anonymous, when wrapping', () => {
    let error: unknown;
    try {
      cached(
        (
          () => async () =>
            1
        )(),
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect((error as Error).message).toMatch(/`name` option/);
  });

  it('refuses a name that cannot be part of a key', () => {
    expect(() => cached(async () => 1, { name: 'a:b' })).toThrow(CacheOptionsError);
    expect(() => cached(async () => 1, { name: 'has space' })).toThrow(CacheOptionsError);
    expect(() => cached('nope' as never)).toThrow(/first argument must be a function/);
  });

  it('keyFor names the entry for cache.delete', async () => {
    const cache = newCache();
    let calls = 0;
    const find = cached(async (_id: number) => ++calls, { name: 'find' });
    await find(1);
    await find(2);
    await cache.delete(find.keyFor(1));
    await find(1);
    await find(2);
    expect(calls).toBe(3);
  });

  it('keyFor works in @Invalidates({ keys })', async () => {
    newCache();
    let calls = 0;
    const find = cached(async (_id: number) => ++calls, { name: 'find' });
    class Writer {
      @Invalidates({ keys: (id: number) => [find.keyFor(id)] })
      async save(_id: number): Promise<void> {}
    }
    await find(1);
    await new Writer().save(1);
    await find(1);
    expect(calls).toBe(2);
  });

  it('takes the same options as @Cached: ttl, tags, key, unless, condition', async () => {
    const clock = testClock();
    const cache = createCache({ store: memoryStore(), clock, jitter: 0, setAsDefault: true });
    let calls = 0;
    const find = cached(async (id: number) => (++calls, id === 0 ? null : id), {
      name: 'find',
      ttl: '1s',
      tags: (id: number) => [`item:${id}`],
      unless: (value: number | null) => value === null,
      condition: (id: number) => id >= 0,
    });
    await find(1);
    await find(1);
    expect(calls).toBe(1);
    clock.advance(1_000);
    await find(1);
    expect(calls).toBe(2);
    await cache.invalidateTags(['item:1']);
    await find(1);
    expect(calls).toBe(3);
    await find(0);
    await find(0);
    expect(calls).toBe(5); // null is not stored
    await find(-1);
    await find(-1);
    expect(calls).toBe(7); // condition false bypasses

    const byKey = cached(async (id: number) => id * 2, { name: 'byKey', key: (id: number) => `double:${id}` });
    await byKey(4);
    expect(await cache.get('double:4')).toBe(8);
  });

  it('may wrap a function that does not return a promise', async () => {
    newCache();
    let calls = 0;
    const square = cached((n: number) => (++calls, n * n), { name: 'square' });
    const result = square(3);
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(9);
    expect(await square(3)).toBe(9);
    expect(calls).toBe(1);
  });

  it('returns a promise also when `condition` bypasses the cache', async () => {
    newCache();
    const square = cached((n: number) => n * n, { name: 'square', condition: (n: number) => n > 0 });
    const bypassed = square(-3);
    expect(bypassed).toBeInstanceOf(Promise);
    expect(await bypassed).toBe(9);
  });

  it('cachedIn binds to one cache, whatever the default', async () => {
    const main = newCache('main');
    const other = createCache({ store: memoryStore(), namespace: 'other' });
    const find = cachedIn(other, async (id: number) => id, { name: 'find' });
    await find(1);
    expect(other.stats().loads).toBe(1);
    expect(main.stats().loads).toBe(0);
  });

  it('two different functions with the same name in one cache are refused', async () => {
    newCache();
    const a = cached(async () => 'a', { name: 'load' });
    const b = cached(async () => 'b', { name: 'load' });
    expect(await a()).toBe('a');
    await expect(b()).rejects.toBeInstanceOf(CacheOptionsError);
    await expect(b()).rejects.toThrow(/two different functions .*another `name` option/);
  });
});
