// P2, no resurrection: a load that started before an invalidation of one of its tags or
// keys is never served as fresh after it. Each race is driven by hand with a deferred.
import 'reflect-metadata';
import { type Cache, Cached, createCache, methodKey, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type Deferred, deferred, flush } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

type Invalidation = (cache: Cache, repo: typeof Repo) => Promise<void>;

// Declared once; each test gets its own cache (claimLabel is per cache).
let gates: Array<Deferred<string>> = [];
class Repo {
  @Cached({ tags: (id: number) => [`user:${id}`] })
  async find(_id: number): Promise<string> {
    const gate = deferred<string>();
    gates.push(gate);
    return gate.promise;
  }
}

const INVALIDATIONS: Array<[string, Invalidation]> = [
  ['invalidateTags', (cache) => cache.invalidateTags(['user:1'])],
  ["invalidateTags in 'expire' mode", (cache) => cache.invalidateTags(['user:1'], { mode: 'expire' })],
  ['delete(methodKey)', (cache, cls) => cache.delete(methodKey(cls, 'find', 1))],
  ['clear', (cache) => cache.clear()],
];

const STORES = [
  ['live values', () => memoryStore()],
  ['serialize: true', () => memoryStore({ serialize: true })],
] as const;

describe.each(STORES)('P2 with the memory store (%s)', (_store, makeStore) => {
  it.each(INVALIDATIONS)('a load in flight during %s is not served afterwards', async (_name, invalidate) => {
    gates = [];
    const cache = createCache({ store: makeStore(), namespace: 'race', setAsDefault: true });
    const repo = new Repo();

    const inFlight = repo.find(1);
    await flush();
    expect(gates).toHaveLength(1);

    await invalidate(cache, Repo);
    gates[0]!.resolve('old');
    expect(await inFlight).toBe('old'); // its own caller still gets it

    const after = repo.find(1);
    await flush();
    expect(gates).toHaveLength(2); // a miss: the loader runs again
    gates[1]!.resolve('new');
    expect(await after).toBe('new');

    expect(await repo.find(1)).toBe('new'); // and the new value is cached
    expect(gates).toHaveLength(2);
  });

  it('an invalidation of an unrelated tag does not throw the load away', async () => {
    gates = [];
    const cache = createCache({ store: makeStore(), namespace: 'race', setAsDefault: true });
    const repo = new Repo();
    const inFlight = repo.find(1);
    await flush();
    await cache.invalidateTags(['user:2']);
    gates[0]!.resolve('kept');
    await inFlight;
    expect(await repo.find(1)).toBe('kept');
    expect(gates).toHaveLength(1);
  });

  it('a delete of a user key during wrap is not undone by the late write', async () => {
    const cache = createCache({ store: makeStore(), namespace: 'race' });
    const gate = deferred<string>();
    const inFlight = cache.wrap('k', () => gate.promise);
    await flush();
    await cache.delete('k');
    gate.resolve('old');
    await inFlight;
    expect(await cache.getEntry('k')).toBeUndefined();
    expect(await cache.wrap('k', () => 'new')).toBe('new');
  });

  it('a set during a load is not clobbered into the future by a stale tag version', async () => {
    const cache = createCache({ store: makeStore(), namespace: 'race' });
    const gate = deferred<string>();
    const inFlight = cache.wrap('k', () => gate.promise, { tags: ['t'] });
    await flush();
    await cache.invalidateTags(['t']);
    gate.resolve('old');
    await inFlight;
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('P2 across two caches sharing one store', () => {
  it('an invalidation through another cache of the same namespace still wins', async () => {
    const store = memoryStore();
    const writer = createCache({ store, namespace: 'shared' });
    const reader = createCache({ store, namespace: 'shared' });
    const gate = deferred<string>();
    const inFlight = reader.wrap('k', () => gate.promise, { tags: ['t'] });
    await flush();
    await writer.invalidateTags(['t']);
    gate.resolve('old');
    await inFlight;
    let reloaded = false;
    expect(await reader.wrap('k', () => ((reloaded = true), 'new'), { tags: ['t'] })).toBe('new');
    expect(reloaded).toBe(true);
  });
});
