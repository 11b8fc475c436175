import 'reflect-metadata';
import {
  type Cache,
  CacheConfig,
  Cached,
  createCache,
  Invalidates,
  methodKey,
  NoCacheConfiguredError,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, flush } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

const newCache = (namespace = 'inv', setAsDefault = true): Cache =>
  createCache({ store: memoryStore(), namespace, setAsDefault });

describe('@Invalidates after success', () => {
  it('invalidates tags from the arguments', async () => {
    newCache();
    let calls = 0;
    class Users {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<number> {
        return ++calls * 100 + id;
      }
      @Invalidates({ tags: (id: number) => [`user:${id}`] })
      async rename(_id: number, _name: string): Promise<string> {
        return 'renamed';
      }
    }
    const users = new Users();
    expect(await users.find(1)).toBe(101);
    expect(await users.find(2)).toBe(202);
    expect(await users.rename(1, 'x')).toBe('renamed'); // the method's own result
    expect(await users.find(1)).toBe(301);
    expect(await users.find(2)).toBe(202);
  });

  it('deletes keys: plain keys, and methodKey(Class, method, ...args)', async () => {
    const cache = newCache();
    let calls = 0;
    class Repo {
      @Cached()
      async findById(id: number): Promise<string> {
        calls++;
        return `row${id}`;
      }
      @Invalidates({ keys: (id: number) => [methodKey(Repo, 'findById', id), `summary:${id}`] })
      async update(_id: number): Promise<void> {}
    }
    const repo = new Repo();
    await repo.findById(1);
    await repo.findById(2);
    await cache.set('summary:1', 's1');
    await repo.update(1);
    await repo.findById(1);
    await repo.findById(2);
    expect(calls).toBe(3);
    expect(await cache.get('summary:1')).toBeUndefined();
  });

  it('takes static lists too', async () => {
    const cache = newCache();
    await cache.set('a', 1, { tags: ['all'] });
    await cache.set('b', 2);
    class Admin {
      @Invalidates({ tags: ['all'], keys: ['b'] })
      async reset(): Promise<void> {}
    }
    await new Admin().reset();
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBeUndefined();
  });

  it("mode 'expire' makes the entries not fresh", async () => {
    const cache = newCache();
    await cache.set('a', 1, { tags: ['t'] });
    const seen: string[] = [];
    cache.on('invalidate', (e) => seen.push(e.mode));
    class Admin {
      @Invalidates({ tags: ['t'], mode: 'expire' })
      async touch(): Promise<void> {}
    }
    await new Admin().touch();
    expect(await cache.get('a')).toBeUndefined();
    expect(seen).toEqual(['expire']);
  });

  it('has reached the store when the call resolves', async () => {
    const cache = newCache();
    await cache.set('a', 1, { tags: ['t'] });
    class Admin {
      @Invalidates({ tags: ['t'] })
      async touch(): Promise<number> {
        return 5;
      }
    }
    const result = new Admin().touch();
    expect(await result).toBe(5);
    expect(await cache.getEntry('a')).toBeUndefined();
  });
});

describe('@Invalidates when the method throws', () => {
  it('invalidates nothing, and the error reaches the caller unchanged', async () => {
    const cache = newCache();
    await cache.set('a', 1, { tags: ['t'] });
    const failure = new Error('constraint violated');
    class Admin {
      @Invalidates({ tags: ['t'], keys: ['a'] })
      async update(): Promise<void> {
        throw failure;
      }
    }
    await expect(new Admin().update()).rejects.toBe(failure);
    expect(await cache.get('a')).toBe(1);
  });

  it('with before: true, invalidates before the method runs (even if it throws)', async () => {
    const cache = newCache();
    await cache.set('a', 1, { tags: ['t'] });
    let seenInside: unknown = 'not run';
    const failure = new Error('after invalidating');
    class Admin {
      @Invalidates({ tags: ['t'], before: true })
      async update(fail: boolean): Promise<string> {
        seenInside = await cache.get('a');
        if (fail) throw failure;
        return 'ok';
      }
    }
    expect(await new Admin().update(false)).toBe('ok');
    expect(seenInside).toBeUndefined();

    await cache.set('a', 2, { tags: ['t'] });
    await expect(new Admin().update(true)).rejects.toBe(failure);
    expect(await cache.get('a')).toBeUndefined();
  });

  it('without before, the old value is still served while the method runs', async () => {
    const cache = newCache();
    await cache.set('a', 1, { tags: ['t'] });
    const gate = deferred<void>();
    class Admin {
      @Invalidates({ tags: ['t'] })
      async update(): Promise<void> {
        await gate.promise;
      }
    }
    const running = new Admin().update();
    await flush();
    expect(await cache.get('a')).toBe(1);
    gate.resolve();
    await running;
    expect(await cache.get('a')).toBeUndefined();
  });
});

describe('which cache @Invalidates uses', () => {
  async function seeded(namespace: string): Promise<Cache> {
    const cache = createCache({ store: memoryStore(), namespace });
    await cache.set('k', namespace, { tags: ['t'] });
    return cache;
  }

  it('the `cache` option, over the default', async () => {
    const main = await seeded('main');
    setDefaultCache(main);
    const other = await seeded('other');
    class Admin {
      @Invalidates({ tags: ['t'], cache: other })
      async update(): Promise<void> {}
    }
    await new Admin().update();
    expect(await other.get('k')).toBeUndefined();
    expect(await main.get('k')).toBe('main');
  });

  it('a function of the instance (dependency injection)', async () => {
    const a = await seeded('a');
    const b = await seeded('b');
    class Admin {
      constructor(readonly cache: Cache) {}
      @Invalidates({ tags: ['t'], cache: (self: Admin) => self.cache })
      async update(): Promise<void> {}
    }
    await new Admin(b).update();
    expect(await b.get('k')).toBeUndefined();
    expect(await a.get('k')).toBe('a');
  });

  it('@CacheConfig({ cache }), and the method option beats it', async () => {
    const main = await seeded('main');
    setDefaultCache(main);
    const classCache = await seeded('cls');
    const methodCache = await seeded('meth');
    @CacheConfig({ cache: classCache })
    class Admin {
      @Invalidates({ tags: ['t'] })
      async viaClass(): Promise<void> {}
      @Invalidates({ tags: ['t'], cache: methodCache })
      async viaMethod(): Promise<void> {}
    }
    await new Admin().viaClass();
    expect(await classCache.get('k')).toBeUndefined();
    expect(await main.get('k')).toBe('main');
    expect(await methodCache.get('k')).toBe('meth');
    await new Admin().viaMethod();
    expect(await methodCache.get('k')).toBeUndefined();
  });

  it('NoCacheConfiguredError when there is no cache at all', async () => {
    setDefaultCache(undefined);
    class Admin {
      @Invalidates({ tags: ['t'] })
      async update(): Promise<void> {}
    }
    const error = await new Admin().update().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoCacheConfiguredError);
    expect((error as NoCacheConfiguredError).code).toBe('ERR_CACHE_NO_CACHE');
    expect((error as Error).message).toMatch(/Admin\.update.*createCache/);
  });

  it('@Cached gives NoCacheConfiguredError too, as a rejection', async () => {
    setDefaultCache(undefined);
    class Repo {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const result = new Repo().find(1);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toBeInstanceOf(NoCacheConfiguredError);
  });

  it('works on static methods', async () => {
    const cache = await seeded('static');
    setDefaultCache(cache);
    class Admin {
      @Invalidates({ tags: ['t'] })
      static async update(): Promise<void> {}
    }
    await Admin.update();
    expect(await cache.get('k')).toBeUndefined();
  });
});
