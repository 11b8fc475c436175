import 'reflect-metadata';
import { type Cache, Cached, createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferred } from './helpers.js';

let cache: Cache;
beforeEach(() => {
  cache = createCache({ store: memoryStore(), namespace: 'values', setAsDefault: true });
});
afterEach(() => setDefaultCache(undefined));

describe('rejected loads', () => {
  it('are not cached: the next call runs the method again', async () => {
    let calls = 0;
    class Repo {
      @Cached()
      async find(id: number): Promise<number> {
        calls++;
        if (calls === 1) throw new Error('database down');
        return id;
      }
    }
    const repo = new Repo();
    await expect(repo.find(1)).rejects.toThrow('database down');
    expect(await repo.find(1)).toBe(1);
    expect(await repo.find(1)).toBe(1);
    expect(calls).toBe(2);
  });

  it('give every concurrent caller the very same error object', async () => {
    const gate = deferred<number>();
    let calls = 0;
    class Repo {
      @Cached()
      async find(_id: number): Promise<number> {
        calls++;
        return gate.promise;
      }
    }
    const repo = new Repo();
    const callers = [repo.find(1), repo.find(1), repo.find(1)];
    const failure = Object.assign(new Error('boom'), { detail: 42 });
    gate.reject(failure);
    const reasons = await Promise.all(callers.map((p) => p.catch((e: unknown) => e)));
    expect(calls).toBe(1);
    for (const reason of reasons) expect(reason).toBe(failure);
  });

  it('reach the caller unchanged even when they are not Errors', async () => {
    const thrown = { code: 'E_CUSTOM' };
    const error = await cache.wrap('k', () => Promise.reject(thrown)).catch((e: unknown) => e);
    expect(error).toBe(thrown);
    expect(await cache.getEntry('k')).toBeUndefined();
  });

  it('of a loader that throws synchronously are not cached either', async () => {
    const error = new Error('sync');
    await expect(
      cache.wrap('k', () => {
        throw error;
      }),
    ).rejects.toBe(error);
    expect(await cache.wrap('k', () => 7)).toBe(7);
  });
});

describe('null and undefined', () => {
  it('are cached, and getEntry tells them from a miss', async () => {
    let calls = 0;
    class Repo {
      @Cached({ key: (id: number) => `thing:${id}` })
      async find(id: number): Promise<string | null | undefined> {
        calls++;
        return id === 1 ? null : undefined;
      }
    }
    const repo = new Repo();
    expect(await repo.find(1)).toBeNull();
    expect(await repo.find(1)).toBeNull();
    expect(await repo.find(2)).toBeUndefined();
    expect(await repo.find(2)).toBeUndefined();
    expect(calls).toBe(2);

    const nullEntry = await cache.getEntry('thing:1');
    const undefinedEntry = await cache.getEntry('thing:2');
    expect(nullEntry).toBeDefined();
    expect(nullEntry!.value).toBeNull();
    expect(undefinedEntry).toBeDefined();
    expect(undefinedEntry).toHaveProperty('value', undefined);
    expect(await cache.getEntry('thing:3')).toBeUndefined();
    expect(await cache.get('thing:2')).toBeUndefined();
  });

  it('set(key, undefined) is an entry too', async () => {
    await cache.set('u', undefined);
    expect(await cache.getEntry('u')).toMatchObject({ value: undefined });
  });
});

describe('unless', () => {
  it('returns the value but does not store it', async () => {
    let calls = 0;
    class Repo {
      @Cached({ unless: (result: number | null, id: number) => result === null || id < 0 })
      async find(id: number): Promise<number | null> {
        calls++;
        return id === 0 ? null : id;
      }
    }
    const repo = new Repo();
    expect(await repo.find(0)).toBeNull();
    expect(await repo.find(0)).toBeNull();
    expect(calls).toBe(2); // null was not stored
    await repo.find(-1);
    await repo.find(-1);
    expect(calls).toBe(4); // the arguments reach `unless` too
    await repo.find(5);
    await repo.find(5);
    expect(calls).toBe(5);
  });

  it('works for wrap', async () => {
    let calls = 0;
    const load = () => {
      calls++;
      return { empty: true };
    };
    await cache.wrap('k', load, { unless: (v) => v.empty });
    await cache.wrap('k', load, { unless: (v) => v.empty });
    expect(calls).toBe(2);
    expect(await cache.getEntry('k')).toBeUndefined();
  });
});

describe('condition', () => {
  it('false bypasses the cache: no read, no write, no stats', async () => {
    let calls = 0;
    class Repo {
      @Cached({ condition: (id: number) => id > 0 })
      async find(id: number): Promise<number> {
        calls++;
        return id * 10;
      }
    }
    const repo = new Repo();
    expect(await repo.find(-1)).toBe(-10);
    expect(await repo.find(-1)).toBe(-10);
    expect(calls).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 0, loads: 0 });
    await repo.find(1);
    await repo.find(1);
    expect(calls).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, loads: 1 });
  });

  it('a condition that throws rejects the call instead of throwing synchronously', async () => {
    const failure = new Error('bad condition');
    class Repo {
      @Cached({
        condition: () => {
          throw failure;
        },
      })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    let result: Promise<number> | undefined;
    expect(() => {
      result = new Repo().find(1);
    }).not.toThrow();
    await expect(result).rejects.toBe(failure);
  });

  it('sees the instance as `this`', async () => {
    class Repo {
      enabled = false;
      calls = 0;
      @Cached({
        condition(this: Repo) {
          return this.enabled;
        },
      })
      async find(id: number): Promise<number> {
        this.calls++;
        return id;
      }
    }
    const repo = new Repo();
    await repo.find(1);
    await repo.find(1);
    expect(repo.calls).toBe(2);
    repo.enabled = true;
    await repo.find(1);
    await repo.find(1);
    expect(repo.calls).toBe(3);
  });
});
