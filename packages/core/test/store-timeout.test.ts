// P5: every store operation that answers with a promise is bounded by storeTimeout; a
// synchronous answer is not timed at all. Timeouts are real timers here, kept short; the
// tests assert outcomes and counts, not durations.
import { type CacheEventMap, type CacheOptions, createCache, StoreError, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { faultStore } from './fault-store.js';
import { flush, testClock } from './helpers.js';

afterEach(() => {
  setDefaultCache(undefined);
  vi.restoreAllMocks();
});

function setup(options: Partial<CacheOptions> = {}) {
  const store = faultStore();
  const cache = createCache({ store, namespace: 'f', jitter: 0, storeTimeout: 30, ...options });
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('error', (event) => errors.push(event));
  let loads = 0;
  const load = async () => `v${++loads}`;
  return { store, cache, errors, load, loads: () => loads };
}

describe('storeTimeout', () => {
  it('a read that never answers: the call returns the loader result, counted as an error and a timeout', async () => {
    const { store, cache, errors, load } = setup({ circuitBreaker: false });
    store.mode.read = 'hang';
    expect(await cache.wrap('k', load)).toBe('v1');
    expect(cache.stats()).toMatchObject({ storeErrors: 1, storeTimeouts: 1, storeFastFails: 0, loads: 1 });
    expect(cache.stats().byMethod['#wrap']).toMatchObject({ storeErrors: 1, storeTimeouts: 1 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'store', key: 'f:k:k' });
    const error = errors[0]!.error as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/fault store: no answer within storeTimeout \(30 ms\)/);
    expect(store.log).toEqual(['read:f:k:k']); // nothing written after a failed read
  });

  it('a write that never answers is dropped: the caller has its value, the next call loads again', async () => {
    const { store, cache, load } = setup({ circuitBreaker: false });
    store.mode.write = 'hang';
    expect(await cache.wrap('k', load)).toBe('v1');
    expect(cache.stats()).toMatchObject({ storeErrors: 1, storeTimeouts: 1 });
    expect(await cache.wrap('k', load)).toBe('v2');
    store.mode.write = 'ok';
    expect(await cache.wrap('k', load)).toBe('v3');
    expect(await cache.wrap('k', load)).toBe('v3'); // a hit once writes answer
  });

  it('an answer after the timeout is not used, and a late rejection is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const { store, cache, load } = setup({ circuitBreaker: false });
      await cache.set('k', 'cached');
      store.mode.read = 'hang';
      expect(await cache.wrap('k', load)).toBe('v1');
      expect(await cache.wrap('k', load)).toBe('v2');
      expect(store.hung).toHaveLength(2);
      store.hung[0]!.answer(); // 'cached' arrives late: nobody takes it
      store.hung[0]!.fail(); // a late failure
      await flush();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
      // A late success does not count as the store coming back (it still times out).
      expect(cache.stats()).toMatchObject({ storeErrors: 2, storeTimeouts: 2, loads: 2 });
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  it('an explicit set that never answers rejects with the timeout', async () => {
    const { store, cache } = setup({ circuitBreaker: false });
    store.mode.write = 'hang';
    const error = await cache.set('k', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).reason).toBe('timeout');
    expect(cache.stats()).toMatchObject({ storeErrors: 1, storeTimeouts: 1 });
  });

  it('get() on a store that never answers is a miss', async () => {
    const { store, cache } = setup({ circuitBreaker: false });
    await cache.set('k', 1);
    store.mode.read = 'hang';
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats().storeTimeouts).toBe(1);
  });

  it('a synchronous store (memory) pays no timer: hits and misses create none', async () => {
    const cache = createCache({ store: memoryStore(), clock: testClock(), jitter: 0, storeTimeout: 30 });
    await cache.wrap('k', async () => 1);
    const timers = vi.spyOn(globalThis, 'setTimeout');
    for (let i = 0; i < 100; i++) await cache.wrap('k', async () => 2);
    await cache.wrap('other', async () => 3);
    await cache.invalidateTags(['t']);
    expect(timers).not.toHaveBeenCalled();
    expect(cache.stats()).toMatchObject({ hits: 100, storeErrors: 0 });
  });

  it('the default is 1s, applied to any store', async () => {
    const cache = createCache({ store: faultStore() });
    expect(cache.options.storeTimeoutMs).toBe(1_000);
    expect(cache.options.breaker).toEqual({ failures: 5, cooldownMs: 5_000 });
  });
});
