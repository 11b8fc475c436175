// P5 fail-open: when the store fails, callers get the method's own result; the failure
// is counted and emitted, never thrown at a reader.
import 'reflect-metadata';
import { Cached, type CacheEventMap, createCache, StoreError, setDefaultCache } from '@cachewise/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type FailMode, flakyStore } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

function setup(serialize = false) {
  const store = flakyStore({ serialize });
  const cache = createCache({ store, namespace: 'fo', setAsDefault: true });
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('error', (e) => errors.push(e));
  let calls = 0;
  class Repo {
    @Cached({ tags: (id: number) => [`row:${id}`] })
    async find(id: number): Promise<{ id: number; call: number }> {
      calls++;
      return { id, call: calls };
    }
  }
  return { store, cache, errors, repo: new Repo(), calls: () => calls };
}

const MODES: FailMode[] = ['throw', 'reject'];

describe.each([false, true])('fail-open (serialize: %s)', (serialize) => {
  it.each(MODES)(
    'a read that fails (%s): the caller gets the result, the error is counted and emitted',
    async (mode) => {
      const { store, cache, errors, repo, calls } = setup(serialize);
      await repo.find(1); // cached while the store works
      store.fail.read = mode;
      expect(await repo.find(1)).toEqual({ id: 1, call: 2 });
      expect(calls()).toBe(2);
      expect(cache.stats()).toMatchObject({ storeErrors: 1, loads: 2 });
      expect(cache.stats().byMethod['Repo.find']?.storeErrors).toBe(1);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ kind: 'store', key: 'fo:m:Repo.find:n1', label: 'Repo.find' });
      expect(errors[0]!.error).toBeInstanceOf(StoreError);
      expect(((errors[0]!.error as StoreError).cause as Error).message).toMatch(/read failed/);

      store.fail.read = 'ok';
      expect(await repo.find(1)).toEqual({ id: 1, call: 1 }); // nothing was written while it failed
    },
  );

  it.each(MODES)('a read that fails (%s) still coalesces concurrent callers', async (mode) => {
    const { store, cache, repo, calls } = setup(serialize);
    store.fail.read = mode;
    const results = await Promise.all([repo.find(1), repo.find(1), repo.find(1)]);
    expect(calls()).toBe(1);
    expect(results[1]).toBe(results[0]);
    // A synchronous failure is seen by the first caller only (the others join its load);
    // a rejected read is seen by each caller that read before the load began.
    expect(cache.stats().storeErrors).toBe(mode === 'throw' ? 1 : 3);
    expect(cache.stats().coalesced).toBe(2);
  });

  it.each(MODES)(
    'a write that fails (%s): the caller gets the result, the error is counted and emitted',
    async (mode) => {
      const { store, cache, errors, repo, calls } = setup(serialize);
      store.fail.write = mode;
      expect(await repo.find(1)).toEqual({ id: 1, call: 1 });
      expect(await repo.find(1)).toEqual({ id: 1, call: 2 });
      expect(calls()).toBe(2);
      expect(cache.stats().storeErrors).toBe(2);
      expect(errors.map((e) => e.kind)).toEqual(['store', 'store']);
      expect(errors[0]!.error).toBeInstanceOf(StoreError);
    },
  );

  it.each(MODES)('cache.get with a failing read (%s) is a miss, not a throw', async (mode) => {
    const { store, cache, errors } = setup(serialize);
    await cache.set('k', 1);
    store.fail.read = mode;
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getEntry('k')).toBeUndefined();
    expect(cache.stats().storeErrors).toBe(2);
    expect(errors.map((e) => e.kind)).toEqual(['store', 'store']);
  });

  it.each(MODES)('wrap with a failing read (%s) returns the loader result', async (mode) => {
    const { store, cache } = setup(serialize);
    store.fail.read = mode;
    expect(await cache.wrap('k', () => 'loaded')).toBe('loaded');
    expect(cache.stats().byMethod['#wrap']?.storeErrors).toBe(1);
  });

  it.each(MODES)(
    'a failing tag read (%s) on an entry written with other tags is fail-open, for get and for calls',
    async (mode) => {
      const { store, cache, errors } = setup(serialize);
      // Written with a tag; read by get() with none, and by wrap() with another: the cache
      // must read the entry's own tags, and that read fails.
      await cache.set('k', 'v', { tags: ['a'] });
      store.fail.readTags = mode;
      expect(await cache.get('k')).toBeUndefined();
      expect(await cache.wrap('k', () => 'loaded', { tags: ['b'] })).toBe('loaded');
      expect(cache.stats().storeErrors).toBe(2);
      expect(errors.map((e) => e.kind)).toEqual(['store', 'store']);
    },
  );

  it('a store that keeps failing never fails the method', async () => {
    const { store, cache, repo } = setup(serialize);
    store.fail.read = 'reject';
    store.fail.write = 'throw';
    store.fail.readTags = 'throw';
    for (let i = 0; i < 5; i++) expect((await repo.find(i)).id).toBe(i);
    expect(cache.stats().loadErrors).toBe(0);
    expect(cache.stats().storeErrors).toBe(5);
  });

  it("the method's own error still reaches the caller when the store fails too", async () => {
    const { store, cache } = setup(serialize);
    store.fail.read = 'throw';
    const failure = new Error('own');
    await expect(cache.wrap('k', () => Promise.reject(failure))).rejects.toBe(failure);
    expect(cache.stats()).toMatchObject({ storeErrors: 1, loadErrors: 1 });
  });
});
