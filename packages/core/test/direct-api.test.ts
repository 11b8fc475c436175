import 'reflect-metadata';
import {
  Cached,
  type CacheEventMap,
  createCache,
  Invalidates,
  isStoreError,
  NoCacheConfiguredError,
  type Store,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => setDefaultCache(undefined));

describe('the direct API refuses what it does not know', () => {
  const cache = () => createCache({ store: memoryStore(), namespace: 'api', setAsDefault: false });

  it('wrap, set and invalidateTags name an unknown option', async () => {
    await expect(cache().wrap('k', async () => 1, { tag: ['x'] } as never)).rejects.toThrow(
      /wrap: unknown option 'tag'/,
    );
    await expect(cache().set('k', 1, { tag: ['x'] } as never)).rejects.toThrow(/set: unknown option 'tag'/);
    await expect(cache().invalidateTags(['x'], { mod: 'expire' } as never)).rejects.toThrow(
      /invalidateTags: unknown option 'mod'/,
    );
  });

  it('invalidateTags without an array is an error, not a silent no-op', async () => {
    await expect(cache().invalidateTags(undefined as never)).rejects.toThrow(/invalidateTags: `tags` must be an array/);
    await expect(cache().invalidateTags('user:1' as never)).rejects.toThrow(/must be an array/);
  });
});

describe('@Invalidates finds its cache before the method runs', () => {
  it('fails with NoCacheConfiguredError and leaves the write undone', async () => {
    let writes = 0;
    class Repo {
      @Invalidates({ tags: ['users'] })
      async save(): Promise<void> {
        writes++;
      }
    }
    await expect(new Repo().save()).rejects.toBeInstanceOf(NoCacheConfiguredError);
    expect(writes).toBe(0);
  });

  it('refuses a cache function that returns something else', async () => {
    let writes = 0;
    class Repo {
      @Invalidates({ tags: ['users'], cache: () => ({}) as never })
      async save(): Promise<void> {
        writes++;
      }
    }
    await expect(new Repo().save()).rejects.toThrow(/not a Cache/);
    expect(writes).toBe(0);
  });
});

describe('invalidations that fail', () => {
  function brokenInvalidations(): Store {
    const inner = memoryStore();
    const failure = Object.assign(new Error('connection lost'), {
      command: { name: 'evalsha', args: ['secret-value'] },
    });
    return {
      ...inner,
      name: 'broken',
      payload: 'live',
      read: inner.read.bind(inner),
      readTags: inner.readTags.bind(inner),
      write: inner.write.bind(inner),
      close: inner.close.bind(inner),
      delete: () => Promise.reject(failure),
      invalidateTags: () => Promise.reject(failure),
    } as Store;
  }

  it('reject the caller, and are counted and emitted without the command arguments', async () => {
    const cache = createCache({ store: brokenInvalidations(), namespace: 'inv', setAsDefault: false });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    await expect(cache.invalidateTags(['t'])).rejects.toThrow('connection lost');
    await expect(cache.delete('k')).rejects.toThrow('connection lost');
    await expect(cache.clear()).rejects.toThrow('connection lost');
    expect(cache.stats().storeErrors).toBe(3);
    expect(errors.map((event) => event.kind)).toEqual(['store', 'store', 'store']);
    expect(errors[1]).toMatchObject({ key: 'inv:k:k' });
    expect(isStoreError(errors[0]!.error)).toBe(true);
    expect(
      JSON.stringify(errors, (_k, v: unknown) =>
        v instanceof Error ? { ...v, message: v.message, cause: v.cause } : v,
      ),
    ).not.toContain('secret-value');
    expect(((errors[0]!.error as Error).cause as { command?: unknown }).command).toBeUndefined();
  });
});

describe('functions that return the wrong shape', () => {
  const newCache = () => createCache({ store: memoryStore(), namespace: 'shape', setAsDefault: true });

  it('@Invalidates refuses a keys function returning a string, before the method runs', async () => {
    newCache();
    let writes = 0;
    class Repo {
      @Invalidates({ keys: ((id: number) => `user:${id}`) as never })
      async save(_id: number): Promise<void> {
        writes++;
      }
    }
    await expect(new Repo().save(1)).rejects.toThrow(/the `keys` function's result must be an array of keys/);
    expect(writes).toBe(0);
  });

  it('@Invalidates refuses a tags function returning undefined, before the method runs', async () => {
    newCache();
    let writes = 0;
    class Repo {
      @Invalidates({ tags: (() => undefined) as never })
      async save(): Promise<void> {
        writes++;
      }
    }
    await expect(new Repo().save()).rejects.toThrow(
      /the `tags` function's result must be an array of non-empty strings; got undefined/,
    );
    expect(writes).toBe(0);
  });

  it('@Cached refuses a tags function returning a non-array', async () => {
    newCache();
    class Repo {
      @Cached({ tags: ((id: number) => `user:${id}`) as never })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    await expect(new Repo().find(1)).rejects.toThrow(/Repo.find: the `tags` function must return an array/);
  });

  it('wrap refuses a name that is empty, not a string, or starts with #', async () => {
    const cache = newCache();
    for (const name of ['', '#get', 42]) {
      await expect(cache.wrap('k', async () => 1, { name: name as never })).rejects.toThrow(
        /wrap: `name` must be a non-empty string/,
      );
    }
  });
});

describe('wrap reuses the last call site policy only when every option is the same', () => {
  it('still refuses an unknown option after a valid call with the same values', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'memo', setAsDefault: false });
    expect(await cache.wrap('a', async () => 1, { ttl: '5m' })).toBe(1);
    await expect(cache.wrap('b', async () => 2, { ttl: '5m', tag: ['x'] } as never)).rejects.toThrow(
      /wrap: unknown option 'tag'/,
    );
    await expect(cache.wrap('c', async () => 3, { ttl: '5m', name: '' })).rejects.toThrow(/wrap: `name`/);
    await expect(cache.wrap('d', async () => 3, { ttl: 'soon' as never })).rejects.toThrow(/wrap: `ttl`/);
    expect(await cache.wrap('e', async () => 5, { ttl: '5m' })).toBe(5);
  });

  it('a changed ttl, name or function takes effect on the next call', async () => {
    const clock = (await import('./helpers.js')).testClock();
    const cache = createCache({
      store: memoryStore({ clock }),
      clock,
      namespace: 'memo',
      jitter: 0,
      setAsDefault: false,
    });
    await cache.wrap('one', async () => 1, { ttl: '1m', name: 'first' });
    await cache.wrap('two', async () => 2, { ttl: '2m', name: 'first' });
    await cache.wrap('three', async () => 3, { ttl: '2m', name: 'second' });
    await cache.wrap('four', async () => 4, { ttl: '2m', name: 'first' });
    const skip = (value: number) => value === 5;
    await cache.wrap('five', async () => 5, { ttl: '2m', name: 'first', unless: skip });
    await cache.wrap('six', async () => 6, { ttl: '2m', name: 'first' });
    const now = clock.now();
    expect((await cache.getEntry('one'))?.expiresAt).toBe(now + 60_000);
    expect((await cache.getEntry('two'))?.expiresAt).toBe(now + 120_000);
    expect(await cache.getEntry('five')).toBeUndefined(); // its `unless` applied
    expect((await cache.getEntry('six'))?.expiresAt).toBe(now + 120_000); // and the next call's did not
    const byMethod = cache.stats().byMethod;
    expect(byMethod.first?.misses).toBe(5);
    expect(byMethod.second?.misses).toBe(1);
  });
});
