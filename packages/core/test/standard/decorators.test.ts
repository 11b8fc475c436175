// TC39 standard decorators (SWC, 2022-03). No reflect-metadata here: standard decorators
// have no design-time types, and the owner class is learnt on the first call.

import {
  type Cache,
  CacheConfig,
  Cached,
  CacheOptionsError,
  createCache,
  Invalidates,
  methodKey,
  methodsWithoutCache,
  NoCacheConfiguredError,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from '../helpers.js';

afterEach(() => setDefaultCache(undefined));

const newCache = (options: { clock?: ReturnType<typeof testClock> } = {}): Cache =>
  createCache({ store: memoryStore(), namespace: 'std', jitter: 0, setAsDefault: true, ...options });

describe('@Cached (standard)', () => {
  it('this folder really compiles TC39 standard decorators', () => {
    let seen: ClassMethodDecoratorContext | undefined;
    const probe = (_value: (...args: never[]) => unknown, context: ClassMethodDecoratorContext): void => {
      seen = context;
    };
    class Probe {
      @probe
      m(): void {}
    }
    void Probe;
    expect(seen).toMatchObject({ kind: 'method', name: 'm', static: false });
  });

  it('caches by arguments and labels by Class.method', async () => {
    const cache = newCache();
    let calls = 0;
    class Users {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<{ id: number; call: number }> {
        return { id, call: ++calls };
      }
    }
    const users = new Users();
    expect(await users.find(1)).toEqual({ id: 1, call: 1 });
    expect(await users.find(1)).toEqual({ id: 1, call: 1 });
    await cache.invalidateTags(['user:1']);
    expect(await users.find(1)).toEqual({ id: 1, call: 2 });
    expect(cache.stats().byMethod['Users.find']).toMatchObject({ hits: 1, misses: 2 });
  });

  it('keeps `this`', async () => {
    newCache();
    class Users {
      prefix = 'u';
      @Cached()
      async find(id: number): Promise<string> {
        return `${this.prefix}${id}`;
      }
    }
    expect(await new Users().find(3)).toBe('u3');
  });

  it('a bad ttl throws when the class is defined', () => {
    expect(() => {
      class Users {
        @Cached({ ttl: 'soon' as never })
        async find(id: number): Promise<number> {
          return id;
        }
      }
      return Users;
    }).toThrow(/@Cached: `ttl`/);
  });

  it('a method that returns a non-promise rejects on the first call', async () => {
    newCache();
    class Users {
      @Cached()
      find(id: number): Promise<number> {
        return id as unknown as Promise<number>;
      }
    }
    await expect(new Users().find(1)).rejects.toThrow(/Users\.find returned 1, not a Promise/);
  });

  it('on a field is refused', () => {
    const decorator = Cached() as unknown as (value: undefined, context: { kind: string; name: string }) => void;
    expect(() => decorator(undefined, { kind: 'field', name: 'x' })).toThrow(/can only decorate methods/);
  });

  it('with no cache rejects with NoCacheConfiguredError', async () => {
    setDefaultCache(undefined);
    class Users {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    await expect(new Users().find(1)).rejects.toBeInstanceOf(NoCacheConfiguredError);
  });
});

describe('@CacheConfig (standard)', () => {
  it('name, ttl and tags apply to the class methods', async () => {
    const clock = testClock();
    const cache = newCache({ clock });
    let calls = 0;
    @CacheConfig({ name: 'users', ttl: '10s', tags: ['users'] })
    class UserRepository {
      @Cached()
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    const repo = new UserRepository();
    await repo.find(1);
    expect(Object.keys(cache.stats().byMethod)).toEqual(['users.find']);
    expect(methodKey(UserRepository, 'find', 1).storageKey(cache)).toBe('std:m:users.find:n1');

    clock.advance(9_999);
    await repo.find(1);
    expect(calls).toBe(1);
    clock.advance(1);
    await repo.find(1);
    expect(calls).toBe(2);

    await cache.invalidateTags(['users']);
    await repo.find(1);
    expect(calls).toBe(3);
  });

  it('cache picks the cache', async () => {
    const main = newCache();
    const other = createCache({ store: memoryStore(), namespace: 'other' });
    @CacheConfig({ cache: other })
    class Repo {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    await new Repo().find(1);
    expect(other.stats().loads).toBe(1);
    expect(main.stats().loads).toBe(0);
  });

  it('on a method is refused', () => {
    const decorator = CacheConfig({ name: 'x' }) as unknown as (value: unknown, context: { kind: string }) => void;
    expect(() => decorator(() => 1, { kind: 'method' })).toThrow(CacheOptionsError);
  });
});

describe('@Invalidates (standard)', () => {
  it('invalidates tags and methodKey entries after success', async () => {
    const cache = newCache();
    let calls = 0;
    class Users {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(_id: number): Promise<number> {
        return ++calls;
      }
      @Cached()
      async count(): Promise<number> {
        return ++calls;
      }
      @Invalidates({ tags: (id: number) => [`user:${id}`], keys: () => [methodKey(Users, 'count')] })
      async rename(_id: number): Promise<string> {
        return 'ok';
      }
    }
    const users = new Users();
    expect(await users.find(1)).toBe(1);
    expect(await users.count()).toBe(2);
    expect(await users.rename(1)).toBe('ok');
    expect(await users.find(1)).toBe(3);
    expect(await users.count()).toBe(4);
    expect(cache.stats().byMethod['Users.count']?.loads).toBe(2);
  });

  it('does not invalidate when the method throws; before: true does', async () => {
    const cache = newCache();
    const failure = new Error('no');
    class Admin {
      @Invalidates({ tags: ['t'] })
      async after(): Promise<void> {
        throw failure;
      }
      @Invalidates({ tags: ['t'], before: true })
      async before(): Promise<void> {
        throw failure;
      }
    }
    await cache.set('k', 1, { tags: ['t'] });
    await expect(new Admin().after()).rejects.toBe(failure);
    expect(await cache.get('k')).toBe(1);
    await expect(new Admin().before()).rejects.toBe(failure);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('picks the cache from the instance', async () => {
    newCache();
    const mine = createCache({ store: memoryStore(), namespace: 'mine' });
    await mine.set('k', 1, { tags: ['t'] });
    class Admin {
      constructor(readonly cache: Cache) {}
      @Invalidates({ tags: ['t'], cache: (self: Admin) => self.cache })
      async touch(): Promise<void> {}
    }
    await new Admin(mine).touch();
    expect(await mine.get('k')).toBeUndefined();
  });
});

describe('static and inherited methods (standard)', () => {
  it('static methods are cached and named by their class', async () => {
    const cache = newCache();
    let calls = 0;
    class Settings {
      @Cached()
      static async load(name: string): Promise<string> {
        calls++;
        return name.toUpperCase();
      }
    }
    expect(await Settings.load('a')).toBe('A');
    expect(await Settings.load('a')).toBe('A');
    expect(calls).toBe(1);
    expect(methodKey(Settings, 'load', 'a').storageKey(cache)).toBe('std:m:Settings.static.load:s"a"');
    await cache.delete(methodKey(Settings, 'load', 'a'));
    await Settings.load('a');
    expect(calls).toBe(2);
  });

  it("a subclass calling an inherited cached method uses the declaring class's label", async () => {
    const cache = newCache();
    let calls = 0;
    class Base {
      @Cached()
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    @CacheConfig({ name: 'child' })
    class Child extends Base {}
    await new Child().find(1); // the first call comes from the subclass
    await new Base().find(1);
    expect(calls).toBe(1);
    expect(Object.keys(cache.stats().byMethod)).toEqual(['Base.find']);
    expect(methodKey(Child, 'find', 1).storageKey(cache)).toBe('std:m:Base.find:n1');
  });

  it('an override calling super keeps the two entries apart', async () => {
    newCache();
    const calls: string[] = [];
    class Base {
      @Cached()
      async find(id: number): Promise<string> {
        calls.push('base');
        return `base${id}`;
      }
    }
    class Child extends Base {
      @Cached()
      override async find(id: number): Promise<string> {
        calls.push('child');
        return `child:${await super.find(id)}`;
      }
    }
    expect(await new Child().find(1)).toBe('child:base1');
    expect(await new Base().find(1)).toBe('base1');
    expect(await new Child().find(1)).toBe('child:base1');
    expect(calls).toEqual(['child', 'base']);
  });

  it('static inherited methods use the declaring class too', async () => {
    const cache = newCache();
    class Base {
      @Cached()
      static async load(): Promise<number> {
        return 1;
      }
    }
    class Child extends Base {}
    await Child.load();
    expect(Object.keys(cache.stats().byMethod)).toEqual(['Base.static.load']);
  });

  it('methodKey works before the first call', () => {
    const cache = newCache();
    class Fresh {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    expect(methodKey(Fresh, 'find', 5).storageKey(cache)).toBe('std:m:Fresh.find:n5');
  });
});

describe('methodsWithoutCache (standard)', () => {
  it('lists the decorated methods that name no cache, before any call', () => {
    const cache = newCache();
    class Repo {
      @Cached()
      async find(): Promise<number> {
        return 1;
      }

      @Cached({ cache })
      async named(): Promise<number> {
        return 2;
      }

      @Invalidates({ tags: ['all'] })
      async write(): Promise<void> {}
    }
    @CacheConfig({ cache })
    class Configured {
      @Cached()
      async find(): Promise<number> {
        return 1;
      }
    }
    expect(methodsWithoutCache(Repo)).toEqual(['find', 'write']);
    expect(methodsWithoutCache(Configured)).toEqual([]);
  });
});
