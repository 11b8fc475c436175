// Values that used to share a key (issue 6, items 5 and 6), each now told apart or refused.
import 'reflect-metadata';
import {
  type Cache,
  Cached,
  cached,
  createCache,
  getDefaultCache,
  isKeyDerivationError,
  methodKey,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let cache: Cache;
let loads: unknown[][];

beforeEach(() => {
  cache = createCache({ store: memoryStore(), namespace: 'kc', jitter: 0, setAsDefault: true });
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
const wellFormed = (text: string): boolean => (text as string & { isWellFormed(): boolean }).isWellFormed();

/** Calls find(arg) for each arg, twice: every arg must load once and hit once. */
async function expectOneEntryEach(args: readonly unknown[]): Promise<void> {
  const repo = new Repo();
  for (const arg of args) await repo.find(arg);
  for (const arg of args) await repo.find(arg);
  expect(loads).toHaveLength(args.length);
  expect(new Set(args.map((arg) => keyOf(arg))).size).toBe(args.length);
}

async function keyError(...args: unknown[]): Promise<Error> {
  const error = (await new Repo().find(...args).catch((e: unknown) => e)) as Error;
  expect(isKeyDerivationError(error)).toBe(true);
  expect(error.message).toContain('`key`');
  expect(loads).toHaveLength(0);
  return error;
}

describe('lone surrogates (a store that speaks UTF-8 would turn each into U+FFFD)', () => {
  const lone = ['a\ud800', 'a\udfff', 'a\ufffd'];

  it('user keys map to distinct, well-formed storage keys; well-formed keys are unchanged', async () => {
    const keys = lone.map((key) => cache.storageKey(key, 'test'));
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) expect(wellFormed(key)).toBe(true);
    expect(keys[2]).toBe('kc:k:a\ufffd');
    expect(keys[0]).toBe('kc:e:"a\\ud800"');
    expect(cache.storageKey('user:42', 'test')).toBe('kc:k:user:42');
    for (const [i, key] of lone.entries()) await cache.set(key, i);
    for (const [i, key] of lone.entries()) expect(await cache.get(key)).toBe(i);
  });

  it('tags map to distinct, well-formed tag ids, and getEntry gives them back as they were', async () => {
    const ids = cache.tagIds(lone, 'test').slice(1);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(wellFormed(id)).toBe(true);
    expect(cache.tagIds(['user:1'], 'test')).toEqual(['kc#', 'kc#user:1']);

    for (const [i, tag] of lone.entries()) await cache.set(`v${i}`, i, { tags: [tag, 'x'] });
    expect((await cache.getEntry('v0'))?.tags).toEqual(['a\ud800', 'x']);
    await cache.invalidateTags(['a\ufffd']);
    expect(await cache.get('v0')).toBe(0);
    expect(await cache.get('v1')).toBe(1);
    expect(await cache.get('v2')).toBeUndefined();
  });

  it('method arguments (strings, Map keys, object keys, long lists) give distinct, well-formed keys', async () => {
    const args = [
      ...lone,
      ...lone.map((s) => new Map([[s, 1]])),
      ...lone.map((s) => ({ [s]: 1 })),
      ...lone.map((s) => 'x'.repeat(300) + s),
    ];
    for (const arg of args) expect(wellFormed(keyOf(arg))).toBe(true);
    await expectOneEntryEach(args);
  });

  it('a function name with a lone surrogate gets its own, well-formed key prefix', () => {
    const first = cached(async (id: number) => id, { name: 'f\ud800' });
    const second = cached(async (id: number) => id, { name: 'f\udfff' });
    const [a, b] = [first.keyFor(1).storageKey(cache), second.keyFor(1).storageKey(cache)];
    expect(a).not.toBe(b);
    expect(wellFormed(a) && wellFormed(b)).toBe(true);
  });
});

describe('arrays', () => {
  it('tells a sparse array from an empty or undefined-filled one', async () => {
    await expectOneEntryEach([[], new Array(1), [undefined], new Array(2), [1, , 3], [1, undefined, 3]]);
  });

  it('tells an array with extra properties from one without', async () => {
    await expectOneEntryEach([[1], Object.assign([1], { x: 2 }), Object.assign([1], { x: 3 }), { 0: 1, x: 2 }]);
  });

  it('keys a huge sparse array by what it holds, not by its length', () => {
    const huge = new Array(2 ** 32 - 1);
    huge[7] = 'x';
    expect(keyOf(huge)).not.toBe(keyOf(new Array(2 ** 32 - 2)));
  });

  it('keeps the plain form for dense arrays', () => {
    expect(keyOf([1, 's'])).toBe('kc:m:Repo.find:[n1,s"s"]');
  });
});

describe('classes and prototypes', () => {
  it('refuses an instance of a second, different class with a name already seen', async () => {
    const define = () =>
      class A {
        constructor(readonly id: number) {}
      };
    const [First, Second] = [define(), define()];
    const repo = new Repo();
    expect(await repo.find(new First(1))).toBe(1);
    expect(await repo.find(new First(1))).toBe(1);
    const error = (await repo.find(new Second(1)).catch((e: unknown) => e)) as Error;
    expect(isKeyDerivationError(error)).toBe(true);
    expect(error.message).toMatch(/class named A.*`key`/s);
    expect(loads).toHaveLength(1);
  });

  it('keeps refusing the second class when one method alternates between two caches', async () => {
    const define = () =>
      class A {
        constructor(readonly id: number) {}
      };
    const [First, Second] = [define(), define()];
    const other = createCache({ store: memoryStore(), namespace: 'kc-other', setAsDefault: false });
    class TwoCaches {
      constructor(readonly useOther: boolean) {}
      @Cached({ cache: (self: TwoCaches) => (self.useOther ? other : getDefaultCache()!) })
      async find(value: unknown): Promise<number> {
        return (value as { id: number }).id;
      }
    }
    expect(await new TwoCaches(false).find(new First(1))).toBe(1);
    expect(await new TwoCaches(true).find(new First(1))).toBe(1);
    const error = (await new TwoCaches(false).find(new Second(1)).catch((e: unknown) => e)) as Error;
    expect(isKeyDerivationError(error)).toBe(true);
  });

  it('remembers 1,000 class names per method; names past that are keyed without the check', () => {
    const named = (name: string) =>
      ({
        [name]: class {
          v = 1;
        },
      })[name]!;
    for (let i = 0; i < 1_000; i++) keyOf(new (named(`C${i}`))());
    expect(() => keyOf(new (named('C0'))())).toThrow(/class named C0/);
    const late = keyOf(new (named('Late'))());
    expect(keyOf(new (named('Late'))())).toBe(late);
  });

  it('tells subclasses of Array, Map, Set and Date from the built-ins', async () => {
    class List extends Array<number> {}
    class Dict extends Map<number, number> {}
    class Bag extends Set<number> {}
    class Day extends Date {}
    await expectOneEntryEach([
      [1],
      List.from([1]),
      new Map([[1, 1]]),
      new Dict([[1, 1]]),
      new Set([1]),
      new Bag([1]),
      new Date(0),
      new Day(0),
    ]);
  });

  it('tells a typed-array subclass from its base type', () => {
    class Bytes extends Uint8Array {}
    expect(keyOf(new Bytes([1]))).not.toBe(keyOf(new Uint8Array([1])));
  });
});

describe('symbol-keyed properties', () => {
  it('encodes registered (Symbol.for) symbols', async () => {
    const s = Symbol.for('cachewise.test');
    await expectOneEntryEach([{ a: 1 }, { a: 1, [s]: 1 }, { a: 1, [s]: 2 }, Object.assign([1], { [s]: 1 })]);
  });

  it('refuses a unique symbol, naming it', async () => {
    const error = await keyError({ a: 1, [Symbol('secret')]: 1 });
    expect(error.message).toContain('Symbol(secret)');
  });

  it('ignores non-enumerable symbol properties, as it does non-enumerable string properties', () => {
    const hidden = Object.defineProperty({ a: 1 }, Symbol('hidden'), { value: 1, enumerable: false });
    expect(keyOf(hidden)).toBe(keyOf({ a: 1 }));
  });
});

describe('depth', () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = { v: value };
    return value;
  };

  it('refuses a 20,000-deep argument with a KeyDerivationError, not a stack overflow', async () => {
    const error = await keyError(nested(20_000));
    expect(error.message).toContain('deeper than 100 levels');
    const arrays = await keyError([1, JSON.parse('['.repeat(20_000) + ']'.repeat(20_000)) as unknown]);
    expect(arrays.message).toContain('argument 0');
  });

  it('keys 100 levels and refuses 101', async () => {
    expect(keyOf(nested(100))).toMatch(/^kc:m:Repo\.find:#/);
    await keyError(nested(101));
  });
});

describe('the rest of the family', () => {
  it('has the documented shapes', () => {
    class List extends Array<number> {}
    class Bytes extends Uint8Array {}
    const args = (key: string): string => key.slice('kc:m:Repo.find:'.length);
    expect(args(keyOf(new Array(1)))).toBe('A1{}');
    expect(args(keyOf(Object.assign([1], { x: 2 })))).toBe('A1{"0":n1,"x":n2}');
    expect(args(keyOf(new Number(1)))).toBe('on1');
    expect(args(keyOf(new String('a')))).toBe('os"a"');
    expect(args(keyOf(List.from([1])))).toBe('@"List"[n1]');
    expect(args(keyOf(new Bytes([1])))).toBe('@"Bytes"xUint8Array:AQ==');
    expect(args(keyOf(Object.assign(new Date(0), { x: 1 })))).toBe('d0+{"x":n1}');
    expect(args(keyOf({ a: 1, [Symbol.for('k')]: 2 }))).toBe('{"a":n1,y"k":n2}');
    expect(cache.storageKey('user:\ud800', 'test')).toBe('kc:e:"user:\\ud800"');
    expect(cache.tagIds(['t\ud800'], 'test')[1]).toBe('kc!"t\\ud800"');
  });

  it('keys a null-prototype object like a plain one', () => {
    expect(keyOf(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(keyOf({ a: 1 }));
  });

  it('keys typed arrays by type and bytes, not by properties added to them', () => {
    expect(keyOf(Object.assign(new Uint8Array([1]), { x: 1 }))).toBe(keyOf(new Uint8Array([1])));
    expect(keyOf(new DataView(new ArrayBuffer(1)))).toBe('kc:m:Repo.find:xDataView:AA==');
  });

  it('keys boxed primitives by their value', async () => {
    await expectOneEntryEach([
      new Number(1),
      new Number(2),
      1,
      new String('a'),
      new String('b'),
      'a',
      new Boolean(true),
      new Boolean(false),
      Object(1n),
      Object(2n),
    ]);
  });

  it('tells Maps, Sets and Dates with own properties from plain ones', async () => {
    await expectOneEntryEach([
      new Map(),
      Object.assign(new Map(), { x: 1 }),
      new Set(),
      Object.assign(new Set(), { x: 1 }),
      new Date(0),
      Object.assign(new Date(0), { x: 1 }),
    ]);
  });

  it('reads own getters like fields; a throwing getter is a KeyDerivationError with the cause', async () => {
    expect(
      keyOf({
        get a() {
          return 1;
        },
      }),
    ).toBe(keyOf({ a: 1 }));
    const boom = new Error('boom');
    const error = await keyError({
      get a(): number {
        throw boom;
      },
    });
    expect(error.cause).toBe(boom);
    expect(error.message).toContain('boom');
  });

  it('keys every invalid Date alike, apart from valid ones', () => {
    expect(keyOf(new Date(Number.NaN))).toBe(keyOf(new Date('nonsense')));
    expect(keyOf(new Date(Number.NaN))).not.toBe(keyOf(new Date(0)));
    expect(keyOf(new Date(Number.NaN))).not.toBe(keyOf(Number.NaN));
  });

  it('keys -0 and 0 apart inside arrays and objects; NaN alike', () => {
    expect(keyOf([-0])).not.toBe(keyOf([0]));
    expect(keyOf({ a: -0 })).not.toBe(keyOf({ a: 0 }));
    expect(keyOf([Number.NaN])).toBe(keyOf([0 / 0]));
  });

  it('refuses an object that only pretends to be a Date', async () => {
    await keyError(Object.create(Date.prototype) as unknown);
  });
});
