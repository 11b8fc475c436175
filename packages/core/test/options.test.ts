import {
  CacheConfig,
  Cached,
  CacheError,
  type CacheOptions,
  CacheOptionsError,
  createCache,
  getDefaultCache,
  Invalidates,
  isCacheError,
  setDefaultCache,
} from '@cachewise/core';
import { isStore } from '@cachewise/core/store';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => setDefaultCache(undefined));

function optionsError(run: () => unknown): CacheOptionsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(CacheError);
    expect(isCacheError(error)).toBe(true);
    return error as CacheOptionsError;
  }
  throw new Error('expected a CacheOptionsError');
}

const make = (options: Partial<CacheOptions> & Record<string, unknown>) => () => createCache(options as CacheOptions);

describe('createCache option validation', () => {
  it('requires a store', () => {
    expect(optionsError(make({})).message).toMatch(/`store` is required/);
    expect(optionsError(make({ store: {} as never })).message).toMatch(/`store`.*; got an object$/);
    // What was given instead, by its class: a client, a promise of a store.
    class Redis {}
    expect(optionsError(make({ store: new Redis() as never })).message).toMatch(/; got an instance of Redis$/);
    expect(optionsError(make({ store: Promise.resolve(memoryStore()) as never })).message).toMatch(
      /; got an instance of Promise$/,
    );
    expect(optionsError(make({ store: Object.create(null) })).message).toMatch(/; got an object$/);
    expect(optionsError(() => createCache(undefined as never)).message).toMatch(/store/);
    expect([isStore(memoryStore()), isStore({}), isStore(new Redis()), isStore(null)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it.each(['a:b', 'a#b', '', 'has space', 'x'.repeat(101)])('refuses namespace %j', (namespace) => {
    expect(optionsError(make({ store: memoryStore(), namespace })).message).toMatch(/`namespace`/);
  });

  it('accepts a namespace of letters, digits, _ - and .', () => {
    expect(createCache({ store: memoryStore(), namespace: 'shop_v2.eu-1' }).namespace).toBe('shop_v2.eu-1');
  });

  it.each([1, -0.1, 1.5, '0.1', Number.NaN, null])('refuses jitter %j', (jitter) => {
    expect(optionsError(make({ store: memoryStore(), jitter: jitter as never })).message).toMatch(/`jitter`/);
  });

  it('refuses unknown options by name', () => {
    const error = optionsError(make({ store: memoryStore(), tll: '5m' }));
    expect(error.message).toContain("unknown option 'tll'");
    expect(error.message).toContain('ttl');
  });

  it('refuses a bad serializer, clock, random and maxPayloadBytes, naming each', () => {
    expect(optionsError(make({ store: memoryStore(), serializer: {} as never })).message).toMatch(/`serializer`/);
    expect(optionsError(make({ store: memoryStore(), clock: { now: 5 } as never })).message).toMatch(/`clock`/);
    expect(optionsError(make({ store: memoryStore(), random: 0.5 as never })).message).toMatch(/`random`/);
    expect(optionsError(make({ store: memoryStore(), maxPayloadBytes: 10 })).message).toMatch(/`maxPayloadBytes`/);
    expect(optionsError(make({ store: memoryStore(), maxPayloadBytes: 1.5 })).message).toMatch(/`maxPayloadBytes`/);
  });

  it("refuses a ttl longer than the store's maxTtl", () => {
    const store = Object.assign(memoryStore(), { maxTtlMs: 60_000 });
    expect(optionsError(make({ store, ttl: '2m' })).message).toMatch(/maxTtl/);
    expect(createCache({ store, ttl: '1m' }).options.ttlMs).toBe(60_000);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100', null])(
    'refuses a store whose capacity is %j, naming it; a whole number or none is taken',
    (capacity) => {
      const store = Object.assign(memoryStore(), { capacity });
      expect(optionsError(make({ store })).message).toMatch(/the memory store's `capacity` must be a whole number/);
      expect(createCache({ store: Object.assign(memoryStore(), { capacity: 0 }) }).memoBudget.total).toBe(0);
      expect(createCache({ store: Object.assign(memoryStore(), { capacity: undefined }) }).memoBudget.total).toBe(0);
      expect(createCache({ store: memoryStore({ maxEntries: 12_345 }) }).memoBudget.total).toBe(12_345);
    },
  );
});

describe('the default cache', () => {
  it('is the first cache created, unless another asks to be', () => {
    expect(getDefaultCache()).toBeUndefined();
    const first = createCache({ store: memoryStore(), namespace: 'first' });
    createCache({ store: memoryStore(), namespace: 'second' });
    expect(getDefaultCache()).toBe(first);
    const third = createCache({ store: memoryStore(), namespace: 'third', setAsDefault: true });
    expect(getDefaultCache()).toBe(third);
    setDefaultCache(first);
    expect(getDefaultCache()).toBe(first);
  });

  it('setDefaultCache refuses something that is not a Cache', () => {
    expect(optionsError(() => setDefaultCache({} as never)).message).toMatch(/setDefaultCache/);
  });

  it('a closed default cache stays the default until a new cache replaces it', async () => {
    const cache = createCache({ store: memoryStore() });
    await cache.close();
    expect(getDefaultCache()).toBe(cache);
    const next = createCache({ store: memoryStore() });
    expect(getDefaultCache()).toBe(next);
  });
});

describe('decorator option validation', () => {
  it('@Cached refuses unknown options and non-function hooks by name', () => {
    expect(optionsError(() => Cached({ ttl: '1m', tag: ['x'] } as never)).message).toContain("unknown option 'tag'");
    expect(optionsError(() => Cached({ name: 'x' } as never)).message).toContain("unknown option 'name'");
    expect(optionsError(() => Cached({ key: 'user' } as never)).message).toMatch(/`key`/);
    expect(optionsError(() => Cached({ unless: true } as never)).message).toMatch(/`unless`/);
    expect(optionsError(() => Cached({ condition: 1 } as never)).message).toMatch(/`condition`/);
    expect(optionsError(() => Cached({ tags: [''] })).message).toMatch(/`tags`/);
    expect(optionsError(() => Cached({ cache: 'main' } as never)).message).toMatch(/`cache`/);
  });

  it('@Invalidates needs tags or keys, and checks mode and before', () => {
    expect(optionsError(() => Invalidates({})).message).toMatch(/`tags`, `keys`/);
    expect(optionsError(() => Invalidates({ tags: ['a'], mode: 'soft' as never })).message).toMatch(/`mode`/);
    expect(optionsError(() => Invalidates({ tags: ['a'], before: 'yes' as never })).message).toMatch(/`before`/);
    expect(optionsError(() => Invalidates({ tags: ['a'], after: true } as never)).message).toContain(
      "unknown option 'after'",
    );
    expect(optionsError(() => Invalidates({ keys: [42 as never] })).message).toMatch(/`keys`/);
  });

  it('@CacheConfig checks name, tags and cache', () => {
    expect(optionsError(() => CacheConfig({ name: 'a:b' })).message).toMatch(/`name`/);
    expect(optionsError(() => CacheConfig({ name: 'has space' })).message).toMatch(/`name`/);
    expect(optionsError(() => CacheConfig({ tags: 'users' as never })).message).toMatch(/`tags`/);
    expect(optionsError(() => CacheConfig({ cache: {} as never })).message).toMatch(/`cache`/);
    expect(optionsError(() => CacheConfig({ namespace: 'x' } as never)).message).toContain(
      "unknown option 'namespace'",
    );
  });
});
