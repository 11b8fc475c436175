// Legacy `experimentalDecorators` with emitted metadata (reflect-metadata): what the
// decorators can check at decoration time, and what they check on the first call.
import 'reflect-metadata';
import {
  type Cache,
  CacheConfig,
  Cached,
  CacheOptionsError,
  createCache,
  Invalidates,
  methodKey,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => setDefaultCache(undefined));

const newCache = (): Cache => createCache({ store: memoryStore(), namespace: 'legacy', setAsDefault: true });

describe('declared return types', () => {
  it('@Cached on a method declared to return a non-Promise throws when the class is defined', () => {
    let error: unknown;
    try {
      class Repo {
        // @ts-expect-error -- a method that does not return a Promise is a compile error too
        @Cached()
        findSync(id: number): number {
          return id;
        }
      }
      void Repo;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect((error as Error).message).toContain('Repo.findSync');
    expect((error as Error).message).toContain('Number');
    expect((error as Error).message).toMatch(/must be async/);
  });

  it('@Invalidates checks it too', () => {
    expect(() => {
      class Repo {
        // @ts-expect-error -- a method that does not return a Promise is a compile error too
        @Invalidates({ tags: ['t'] })
        save(): string {
          return 'x';
        }
      }
      return Repo;
    }).toThrow(/Repo\.save.*String/);
  });

  it('a Promise or union return type passes decoration', async () => {
    newCache();
    class Repo {
      @Cached()
      async a(): Promise<number> {
        return 1;
      }
      @Cached()
      async b(): Promise<number | null> {
        return null;
      }
    }
    expect(await new Repo().a()).toBe(1);
    expect(await new Repo().b()).toBeNull();
  });

  it('a method with no return-type metadata that returns a non-promise rejects on the first call', async () => {
    newCache();
    let calls = 0;
    class Repo {
      // No annotation: no usable design:returntype, so the check waits for the first call.
      @Cached()
      find(id: number) {
        calls++;
        return id as unknown as Promise<number>;
      }
    }
    const result = new Repo().find(1);
    expect(result).toBeInstanceOf(Promise);
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect((error as Error).message).toMatch(/Repo\.find returned 1, not a Promise/);
    expect((error as Error).message).toMatch(/must be async/);
    expect(calls).toBe(1);
  });

  it('the same check applies to a decorator applied by hand with no metadata at all', async () => {
    newCache();
    class Repo {
      find(id: number): unknown {
        return id;
      }
    }
    const descriptor = Object.getOwnPropertyDescriptor(Repo.prototype, 'find')!;
    Cached()(Repo.prototype, 'find', descriptor);
    Object.defineProperty(Repo.prototype, 'find', descriptor);
    await expect(new Repo().find(1) as Promise<unknown>).rejects.toThrow(/not a Promise/);
  });
});

describe('legacy class decorators', () => {
  it('@CacheConfig({ name }) renames the class in keys and stats, though it runs after the method decorators', async () => {
    const cache = newCache();
    @CacheConfig({ name: 'users' })
    class UserRepository {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    await new UserRepository().find(1);
    expect(Object.keys(cache.stats().byMethod)).toEqual(['users.find']);
    expect(methodKey(UserRepository, 'find', 1).storageKey(cache)).toBe('legacy:m:users.find:n1');
  });

  it('@CacheConfig({ cache }) applied after the method was first called is used from then on', async () => {
    const fallback = newCache();
    const configured = createCache({ store: memoryStore(), namespace: 'configured', setAsDefault: false });
    let loads = 0;
    class Late {
      static async count(): Promise<number> {
        return ++loads;
      }
    }
    // The decorators by hand: the method's, a first call, then the class's.
    const descriptor = Object.getOwnPropertyDescriptor(Late, 'count')!;
    Object.defineProperty(Late, 'count', Cached()(Late, 'count', descriptor) ?? descriptor);
    expect(await Late.count()).toBe(1);
    expect(fallback.stats().misses).toBe(1);
    CacheConfig({ cache: configured })(Late);
    expect(await Late.count()).toBe(2);
    expect(await Late.count()).toBe(2);
    expect(configured.stats()).toMatchObject({ hits: 1, misses: 1 });
    expect(fallback.stats()).toMatchObject({ hits: 0, misses: 1 });
  });

  it('a subclass calling an inherited cached method uses the declaring class label', async () => {
    const cache = newCache();
    let calls = 0;
    class Base {
      @Cached()
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    class Child extends Base {}
    await new Child().find(1);
    await new Base().find(1);
    expect(calls).toBe(1);
    expect(Object.keys(cache.stats().byMethod)).toEqual(['Base.find']);
    expect(methodKey(Child, 'find', 1).storageKey(cache)).toBe(methodKey(Base, 'find', 1).storageKey(cache));
  });

  it('static cached methods key under the class', async () => {
    const cache = newCache();
    let calls = 0;
    class Config {
      @Cached()
      static async load(name: string): Promise<string> {
        calls++;
        return name;
      }
    }
    await Config.load('a');
    await Config.load('a');
    expect(calls).toBe(1);
    expect(methodKey(Config, 'load', 'a').storageKey(cache)).toBe('legacy:m:Config.static.load:s"a"');
  });

  it('a static and an instance method of the same name keep separate entries', async () => {
    newCache();
    class Both {
      @Cached()
      static async find(id: number): Promise<string> {
        return `static ${id}`;
      }

      @Cached()
      async find(id: number): Promise<string> {
        return `instance ${id}`;
      }
    }
    expect(await Both.find(1)).toBe('static 1');
    expect(await new Both().find(1)).toBe('instance 1');
    expect(await Both.find(1)).toBe('static 1');
  });

  it('methodKey refuses a method that is not @Cached', () => {
    class Repo {
      async plain(): Promise<void> {}
    }
    expect(() => methodKey(Repo, 'plain')).toThrow(/Repo\.plain is not a @Cached method/);
  });

  it('@Cached on a non-method is refused', () => {
    const descriptor: PropertyDescriptor = { value: 5, writable: true };
    expect(() => Cached()({}, 'field', descriptor)).toThrow(/can only decorate methods/);
  });
});
