import 'reflect-metadata';
import {
  bindCache,
  CacheConfig,
  Cached,
  CacheOptionsError,
  createCache,
  Invalidates,
  methodsWithoutCache,
  NoCacheConfiguredError,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => setDefaultCache(undefined));

class Repo {
  loads = 0;

  @Cached({ tags: ['all'] })
  async find(id: number): Promise<string> {
    this.loads++;
    return `user ${id}`;
  }

  @Invalidates({ tags: ['all'] })
  async write(): Promise<void> {}

  @Cached()
  static async count(): Promise<number> {
    return 3;
  }
}

describe('bindCache', () => {
  it('gives each bound instance its own cache, with no default cache', async () => {
    const a = createCache({ store: memoryStore(), namespace: 'a' });
    const b = createCache({ store: memoryStore(), namespace: 'b' });
    setDefaultCache(undefined);
    const first = new Repo();
    const second = new Repo();
    bindCache(first, a);
    bindCache(second, b);
    await first.find(1);
    await first.find(1);
    await second.find(1);
    expect(first.loads).toBe(1);
    expect(second.loads).toBe(1);
    expect(a.stats().hits).toBe(1);
    expect(b.stats().misses).toBe(1);
    await first.write();
    await first.find(1);
    expect(first.loads).toBe(2);
    await second.find(1);
    expect(second.loads).toBe(1); // b was not invalidated
    await expect(new Repo().find(1)).rejects.toBeInstanceOf(NoCacheConfiguredError);
  });

  it('wins over the default cache; a class binds its static methods; undefined unbinds', async () => {
    const fallback = createCache({ store: memoryStore(), namespace: 'default' });
    const own = createCache({ store: memoryStore(), namespace: 'own', setAsDefault: false });
    const repo = new Repo();
    bindCache(repo, own);
    bindCache(Repo, own);
    await repo.find(2);
    await Repo.count();
    expect(own.stats().misses).toBe(2);
    expect(fallback.stats().misses).toBe(0);
    bindCache(repo, undefined);
    await repo.find(2);
    expect(fallback.stats().misses).toBe(1);
    bindCache(Repo, undefined);
  });

  it('applies to an instance already called with the default cache, the first binding of the process included', async () => {
    // Fresh modules: nothing was bound in this copy of core, so the calls so far looked nothing up.
    vi.resetModules();
    const core = await import('@cachewise/core');
    const { memoryStore: freshMemoryStore } = await import('@cachewise/memory');
    const fallback = core.createCache({ store: freshMemoryStore(), namespace: 'default' });
    const own = core.createCache({ store: freshMemoryStore(), namespace: 'own', setAsDefault: false });
    let loads = 0;
    class Counter {
      async count(): Promise<number> {
        return ++loads;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Counter.prototype, 'count')!;
    Object.defineProperty(
      Counter.prototype,
      'count',
      core.Cached()(Counter.prototype, 'count', descriptor) ?? descriptor,
    );
    const counter = new Counter();
    expect(await counter.count()).toBe(1);
    core.bindCache(counter, own);
    expect(await counter.count()).toBe(2);
    expect(await counter.count()).toBe(2);
    expect(own.stats()).toMatchObject({ hits: 1, misses: 1 });
    expect(fallback.stats()).toMatchObject({ hits: 0, misses: 1 });
    await Promise.all([fallback.close(), own.close()]);
  });

  it('loses to a cache named by the method or @CacheConfig', async () => {
    const named = createCache({ store: memoryStore(), namespace: 'named', setAsDefault: false });
    const other = createCache({ store: memoryStore(), namespace: 'other', setAsDefault: false });
    @CacheConfig({ cache: named })
    class Configured {
      @Cached()
      async get(): Promise<number> {
        return 1;
      }
    }
    const instance = new Configured();
    bindCache(instance, other);
    await instance.get();
    expect(named.stats().misses).toBe(1);
    expect(other.stats().misses).toBe(0);
  });

  it('refuses a target that is not an object and a cache that is not a Cache', () => {
    const cache = createCache({ store: memoryStore(), namespace: 'x' });
    expect(() => bindCache(42 as never, cache)).toThrow(CacheOptionsError);
    expect(() => bindCache(42 as never, cache)).toThrow(/bindCache: `target` must be an object or a class; got 42/);
    expect(() => bindCache({}, {} as never)).toThrow(/bindCache: `cache` must be a Cache \(from createCache\)/);
  });
});

describe('methodsWithoutCache', () => {
  it("lists the decorated instance methods that would use a bound cache, a parent's too", () => {
    const cache = createCache({ store: memoryStore() });
    class Child extends Repo {
      @Cached({ cache })
      async own(): Promise<number> {
        return 1;
      }

      @Invalidates({ tags: ['all'], cache: () => cache })
      async named(): Promise<void> {}

      @Cached()
      async unnamed(): Promise<number> {
        return 2;
      }

      plain(): number {
        return 3;
      }
    }
    expect(methodsWithoutCache(Repo)).toEqual(['find', 'write']);
    expect(methodsWithoutCache(Child).sort()).toEqual(['find', 'unnamed', 'write']);

    @CacheConfig({ cache })
    class Configured {
      @Cached()
      async find(): Promise<number> {
        return 1;
      }
    }
    // A subclass's override that is not decorated is what its instances call.
    class Overrides extends Repo {
      override async find(id: number): Promise<string> {
        return `plain ${id}`;
      }
    }
    expect(methodsWithoutCache(Configured)).toEqual([]);
    expect(methodsWithoutCache(Overrides)).toEqual(['write']);
    expect(methodsWithoutCache(class {})).toEqual([]);
  });
});
