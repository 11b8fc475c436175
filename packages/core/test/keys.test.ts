import 'reflect-metadata';
import {
  type Cache,
  CacheConfig,
  Cached,
  CacheOptionsError,
  createCache,
  isKeyDerivationError,
  KeyDerivationError,
  methodKey,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let cache: Cache;
let loads: unknown[][];

beforeEach(() => {
  cache = createCache({ store: memoryStore(), namespace: 'keys', jitter: 0, setAsDefault: true });
  loads = [];
});
afterEach(() => setDefaultCache(undefined));

class Repo {
  @Cached()
  async find(...args: unknown[]): Promise<number> {
    loads.push(args);
    return loads.length;
  }
}

const keyOf = (...args: unknown[]): string => methodKey(Repo, 'find', ...args).storageKey(cache);

describe('argument encoding', () => {
  it('has the documented shape', () => {
    expect(keyOf(42)).toBe('keys:m:Repo.find:n42');
    expect(keyOf('abc')).toBe('keys:m:Repo.find:s"abc"');
    expect(keyOf()).toBe('keys:m:Repo.find:');
  });

  it('ignores object key order, at every depth', async () => {
    expect(keyOf({ a: 1, b: { c: 2, d: 3 } })).toBe(keyOf({ b: { d: 3, c: 2 }, a: 1 }));
    const repo = new Repo();
    expect(await repo.find({ a: 1, b: 2 })).toBe(1);
    expect(await repo.find({ b: 2, a: 1 })).toBe(1);
    expect(loads).toHaveLength(1);
  });

  it('ignores Map and Set insertion order', () => {
    expect(
      keyOf(
        new Map([
          [1, 'a'],
          [2, 'b'],
        ]),
      ),
    ).toBe(
      keyOf(
        new Map([
          [2, 'b'],
          [1, 'a'],
        ]),
      ),
    );
    expect(keyOf(new Set([1, 2, 3]))).toBe(keyOf(new Set([3, 1, 2])));
  });

  it('tells apart values that print alike', () => {
    const values: unknown[] = [
      1,
      '1',
      1n,
      true,
      'true',
      null,
      'null',
      undefined,
      'undefined',
      -0,
      0,
      Number.NaN,
      'NaN',
      Infinity,
      new Date(0),
      [1],
      new Set([1]),
      new Map([[1, 1]]),
      { 1: 1 },
      [],
      {},
      '',
      [undefined],
      [null],
      new Uint8Array([1]),
      new Int8Array([1]),
      { a: undefined },
      { a: null },
    ];
    const keys = new Set(values.map((value) => keyOf(value)));
    expect(keys.size).toBe(values.length);
  });

  it("tells '1' from 1 and -0 from 0 in real calls", async () => {
    const repo = new Repo();
    await repo.find(1);
    await repo.find('1');
    await repo.find(0);
    await repo.find(-0);
    await repo.find(Number.NaN);
    await repo.find(Number.NaN);
    expect(loads).toEqual([[1], ['1'], [0], [-0], [Number.NaN]]);
  });

  it('tells argument lists apart from arrays and from trailing undefined', () => {
    expect(keyOf(1, 2)).not.toBe(keyOf([1, 2]));
    expect(keyOf(1)).not.toBe(keyOf(1, undefined));
    expect(keyOf(new Date(5))).not.toBe(keyOf(5));
    expect(keyOf(new Date(5))).toBe(keyOf(new Date(5)));
  });

  it('tells class instances from plain objects with the same fields', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(keyOf(new Point(1))).not.toBe(keyOf({ x: 1 }));
    expect(keyOf(new Point(1))).toBe(keyOf(new Point(1)));
    expect(keyOf(new Point(1))).not.toBe(keyOf(new Point(2)));
  });

  it('refuses class instances whose state is hidden, instead of letting them share an entry', async () => {
    // URL and RegExp keep their state out of enumerable properties: every instance would
    // encode alike, and https://b.example/ would get https://a.example/'s entry.
    const repo = new Repo();
    for (const [a, b] of [
      [new URL('https://a.example/'), new URL('https://b.example/')],
      [/a/, /b/],
    ] as const) {
      const results = await Promise.allSettled([repo.find(a), repo.find(b)]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason = (result as PromiseRejectedResult).reason as Error;
        expect(isKeyDerivationError(reason)).toBe(true);
        expect(reason.message).toContain('`key`');
      }
    }
    expect(loads).toHaveLength(0);
  });

  it('hashes long argument lists into a short key, still told apart', async () => {
    const long = 'x'.repeat(500);
    const key = keyOf(long, 1);
    expect(key.length).toBeLessThan(120);
    expect(key).toMatch(/^keys:m:Repo\.find:#[\w-]{43}$/);
    expect(keyOf(long, 2)).not.toBe(key);
    const repo = new Repo();
    await repo.find(long, 1);
    await repo.find(long, 1);
    await repo.find(long, 2);
    expect(loads).toHaveLength(2);
  });
});

describe('forging', () => {
  it.each([
    [['a'], ['a:b']],
    [['a:b'], ['a', 'b']],
    [['a'], ['a"']],
    [['a",s"b'], ['a', 'b']],
    [['a,s"b"'], ['a', 'b']],
    [['x'], ['x', undefined]],
    [['n1'], [1]],
    [['{"a":n1}'], [{ a: 1 }]],
  ])('%j cannot reach the key of %j', async (first, second) => {
    expect(keyOf(...first)).not.toBe(keyOf(...second));
    const repo = new Repo();
    await repo.find(...first);
    await repo.find(...second);
    expect(loads).toHaveLength(2);
  });

  it("a method's arguments cannot reach another method's or a user key", () => {
    class Other {
      @Cached()
      async find(_x: unknown): Promise<number> {
        return 0;
      }
    }
    expect(keyOf('x')).not.toBe(methodKey(Other, 'find', 'x').storageKey(cache));
    const forged = keyOf(':k:user:1');
    expect(forged.startsWith('keys:m:Repo.find:')).toBe(true);
    expect(forged).not.toBe('keys:k:user:1');
  });
});

describe('classes', () => {
  it('two classes with the same method name do not share entries', async () => {
    let aCalls = 0;
    let bCalls = 0;
    class A {
      @Cached()
      async get(id: number): Promise<string> {
        aCalls++;
        return `a${id}`;
      }
    }
    class B {
      @Cached()
      async get(id: number): Promise<string> {
        bCalls++;
        return `b${id}`;
      }
    }
    expect(await new A().get(1)).toBe('a1');
    expect(await new B().get(1)).toBe('b1');
    expect(await new A().get(1)).toBe('a1');
    expect([aCalls, bCalls]).toEqual([1, 1]);
  });

  it('refuses a second, different class with the same name, pointing at @CacheConfig({ name })', async () => {
    const define = () => {
      class Users {
        @Cached()
        async find(id: number): Promise<number> {
          return id;
        }
      }
      return Users;
    };
    const First = define();
    const Second = define();
    expect(First.name).toBe(Second.name);
    expect(await new First().find(1)).toBe(1);
    const error = await new Second().find(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect((error as Error).message).toContain('@CacheConfig({ name');
    expect((error as Error).message).toContain('Users.find');
  });

  it('@CacheConfig({ name }) resolves the clash', async () => {
    const define = (name: string) => {
      @CacheConfig({ name })
      class Users {
        @Cached()
        async find(id: number): Promise<string> {
          return `${name}:${id}`;
        }
      }
      return Users;
    };
    expect(await new (define('UsersV1'))().find(1)).toBe('UsersV1:1');
    expect(await new (define('UsersV2'))().find(1)).toBe('UsersV2:1');
  });
});

describe('arguments that cannot be keyed', () => {
  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a nested function', { callback: () => 1 }],
  ])('%s gives a KeyDerivationError telling how to pass `key`', async (_what, arg) => {
    const error = await new Repo().find(1, arg).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyDerivationError);
    expect((error as KeyDerivationError).code).toBe('ERR_CACHE_KEY');
    expect((error as Error).message).toContain('argument 1');
    expect((error as Error).message).toContain('`key`');
    expect(loads).toHaveLength(0);
  });

  it('a cycle gives a KeyDerivationError', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const error = await new Repo().find(cyclic).catch((e: unknown) => e);
    expect(isKeyDerivationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cycle.*`key`/s);
  });

  it('a shared (non-cyclic) object is fine', async () => {
    const shared = { a: 1 };
    expect(await new Repo().find([shared, shared])).toBe(1);
  });

  it('a `key` option makes such calls cacheable', async () => {
    let calls = 0;
    class Jobs {
      @Cached({ key: (id: number) => `job:${id}` })
      async run(id: number, _onDone: () => void): Promise<number> {
        calls++;
        return id;
      }
    }
    await new Jobs().run(1, () => {});
    await new Jobs().run(1, () => {});
    expect(calls).toBe(1);
  });
});

describe('the `key` option', () => {
  it('shares the key space with cache.get, set and delete', async () => {
    let calls = 0;
    class Users {
      @Cached({ key: (id: number) => `user:${id}` })
      async find(id: number): Promise<{ id: number; v: number }> {
        calls++;
        return { id, v: calls };
      }
    }
    const users = new Users();
    expect(await users.find(1)).toEqual({ id: 1, v: 1 });
    expect(await cache.get('user:1')).toEqual({ id: 1, v: 1 });

    await cache.set('user:1', { id: 1, v: 99 });
    expect(await users.find(1)).toEqual({ id: 1, v: 99 });
    expect(calls).toBe(1);

    await cache.delete('user:1');
    expect(await users.find(1)).toEqual({ id: 1, v: 2 });
    expect(methodKey(Users, 'find', 1).storageKey(cache)).toBe('keys:k:user:1');
  });

  it('a `key` function that returns no string is a KeyDerivationError', async () => {
    class Users {
      @Cached({ key: () => '' })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    await expect(new Users().find(1)).rejects.toBeInstanceOf(KeyDerivationError);
  });
});
