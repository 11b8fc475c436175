// Class instances cached on purpose: registered on a JSON serializer, they come back as
// instances of the same class, and decoding runs no code it was not given (issue 6, item 8).

import {
  type CacheEventMap,
  CacheOptionsError,
  createCache,
  createJsonSerializer,
  DecodeError,
  jsonSerializer,
  SerializationError,
  type Serializer,
  setDefaultCache,
} from '@cachewise/core';
import { type CacheRecord } from '@cachewise/core/store';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
// Internal: the record codec is not public API.
import { decodeRecord, encodeRecord } from '../src/record.js';
import { assertSerializable } from '../src/serializer.js';

afterEach(() => setDefaultCache(undefined));

let constructed = 0;
let assigned = 0;
class User {
  readonly createdAt = new Date(0);
  constructor(
    readonly id: number,
    public name: string,
  ) {
    constructed++;
  }
  get label(): string {
    return `${this.id}:${this.name}`;
  }
  set nickname(_value: string) {
    assigned++;
  }
}

class Money {
  #cents: number;
  constructor(cents: number) {
    this.#cents = cents;
  }
  get cents(): number {
    return this.#cents;
  }
}

class Order {
  constructor(
    readonly owner: User,
    readonly total: Money,
    readonly lines: Map<string, number>,
  ) {}
}

const serializer = createJsonSerializer({
  classes: [
    { name: 'User', type: User },
    { name: 'Money', type: Money, toJSON: (m) => m.cents, revive: (cents) => new Money(cents as number) },
    { name: 'shop.Order', type: Order },
  ],
});
const roundTrip = <T>(value: T, s: Serializer = serializer): T => s.decode(s.encode(value)) as T;
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('registered classes round-trip', () => {
  it('an instance comes back as the same class, without running its constructor', () => {
    const user = new User(1, 'Ada');
    const before = constructed;
    const back = roundTrip(user);
    expect(back).toBeInstanceOf(User);
    expect(Object.getPrototypeOf(back)).toBe(User.prototype);
    expect(back).toStrictEqual(user);
    expect(back.label).toBe('1:Ada');
    expect(back.createdAt).toBeInstanceOf(Date);
    expect(constructed).toBe(before);
  });

  it('nested, beside other registered classes and special values, and with hooks', () => {
    const order = new Order(new User(2, 'Bo'), new Money(1250), new Map([['sku', 3]]));
    const back = roundTrip({ orders: [order], at: new Date(5) });
    expect(back.orders[0]).toBeInstanceOf(Order);
    expect(back.orders[0]!.owner).toBeInstanceOf(User);
    expect(back.orders[0]!.total).toBeInstanceOf(Money);
    expect(back.orders[0]!.total.cents).toBe(1250); // a #private field, carried by the hooks
    expect(back.orders[0]!.lines.get('sku')).toBe(3);
  });

  it('the payload holds the registered name, not the constructor name', () => {
    const text = Buffer.from(serializer.encode(new Order(new User(1, 'a'), new Money(1), new Map()))).toString();
    expect(text).toContain('"c":"shop.Order"');
    expect(text).not.toContain('"Order"');
  });

  it('a payload property named like a setter is defined, not assigned: no setter runs', () => {
    const value = serializer.decode(
      bytes('t{"\\u0000":"C","c":"User","v":{"id":1,"nickname":"x","label":"y"}}'),
    ) as User;
    expect(assigned).toBe(0);
    expect(Object.getOwnPropertyDescriptor(value, 'nickname')?.value).toBe('x');
    expect(Object.getPrototypeOf(value)).toBe(User.prototype);
  });

  it('__proto__ and constructor in a payload stay own data properties', () => {
    const value = serializer.decode(
      bytes('t{"\\u0000":"C","c":"User","v":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}'),
    ) as object;
    expect(Object.getPrototypeOf(value)).toBe(User.prototype);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(Object.getOwnPropertyDescriptor(value, 'constructor')?.value).toEqual({ prototype: { polluted: 1 } });
    expect((User.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a subclass of a registered class is refused unless registered itself', () => {
    class Admin extends User {}
    let error: unknown;
    try {
      serializer.encode({ admin: new Admin(1, 'root') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ className: 'Admin', path: '$.admin' });
  });

  it('a refusal inside what a toJSON hook returned has .toJSON() in its path', () => {
    const s = createJsonSerializer({ classes: [{ name: 'Money', type: Money, toJSON: () => ({ f: () => 1 }) }] });
    expect(() => s.encode([new Money(1)])).toThrow(expect.objectContaining({ path: '$[0].toJSON().f' }));
  });

  it('private fields are not own properties: without hooks they are not written', () => {
    const s = createJsonSerializer({ classes: [{ name: 'Money', type: Money }] });
    const back = roundTrip(new Money(5), s);
    expect(back).toBeInstanceOf(Money);
    expect(() => back.cents).toThrow(TypeError);
  });

  it('the default jsonSerializer knows no classes', () => {
    expect(() => jsonSerializer.encode(new User(1, 'a'))).toThrow(/instance of User/);
  });
});

describe('decoding class payloads', () => {
  it.each([
    ['an unknown class name', 't{"\\u0000":"C","c":"Admin","v":{}}'],
    ['a class name inherited from Object.prototype', 't{"\\u0000":"C","c":"__proto__","v":{}}'],
    ['a class name that is not a string', 't{"\\u0000":"C","c":1,"v":{}}'],
    ['default revival of something that is not an object', 't{"\\u0000":"C","c":"User","v":[1]}'],
    ['default revival of a tagged non-object', 't{"\\u0000":"C","c":"User","v":{"\\u0000":"D","v":0}}'],
  ])('%s is a DecodeError', (_what, text) => {
    expect(() => serializer.decode(bytes(text))).toThrow(DecodeError);
  });

  it('a revive hook that throws is a DecodeError with its error as the cause', () => {
    const boom = new Error('bad cents');
    const s = createJsonSerializer({
      classes: [
        {
          name: 'Money',
          type: Money,
          toJSON: (m) => m.cents,
          revive: () => {
            throw boom;
          },
        },
      ],
    });
    let error: unknown;
    try {
      s.decode(s.encode(new Money(1)));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).cause).toBe(boom);
  });

  it('a toJSON hook that throws is a SerializationError naming the class', () => {
    const boom = new Error('no');
    const s = createJsonSerializer({
      classes: [
        {
          name: 'Money',
          type: Money,
          toJSON: () => {
            throw boom;
          },
          revive: () => new Money(0),
        },
      ],
    });
    expect(() => s.encode({ m: new Money(1) })).toThrow(
      expect.objectContaining({ className: 'Money', path: '$.m', cause: boom }),
    );
  });

  it('a class payload read by the default serializer is a DecodeError (a miss)', () => {
    expect(() => jsonSerializer.decode(serializer.encode(new User(1, 'a')))).toThrow(/unknown class "User"/);
  });
});

describe('createJsonSerializer validates its classes at creation', () => {
  class A {}
  class B {}
  it.each([
    ['options that are not an object', 5, /options must be an object/],
    ['an unknown option', { classez: [] }, /unknown option 'classez'/],
    ['classes that are not an array', { classes: { name: 'A', type: A } }, /`classes` must be an array/],
    ['an entry that is not an object', { classes: ['A'] }, /classes\[0\] must be an object/],
    ['an unknown key', { classes: [{ name: 'A', type: A, revival: () => 1 }] }, /classes\[0\]: unknown key 'revival'/],
    ['a missing name', { classes: [{ type: A }] }, /classes\[0\]\.name must be a string of 1 to 100/],
    ['an empty name', { classes: [{ name: '', type: A }] }, /classes\[0\]\.name/],
    ['a name too long', { classes: [{ name: 'x'.repeat(101), type: A }] }, /classes\[0\]\.name/],
    [
      'a type that is not a function',
      { classes: [{ name: 'A', type: {} }] },
      /classes\[0\] \('A'\)\.type must be a class/,
    ],
    ['an arrow function as type', { classes: [{ name: 'A', type: () => ({}) }] }, /\.type must be a class/],
    [
      'a toJSON that is not a function',
      { classes: [{ name: 'A', type: A, toJSON: 'x' }] },
      /\.toJSON must be a function/,
    ],
    [
      'a revive that is not a function',
      { classes: [{ name: 'A', type: A, revive: 1 }] },
      /\.revive must be a function/,
    ],
    [
      'a duplicate name',
      {
        classes: [
          { name: 'A', type: A },
          { name: 'A', type: B },
        ],
      },
      /classes\[1\] \('A'\): the name 'A' is already used by classes\[0\]/,
    ],
    [
      'a class registered twice',
      {
        classes: [
          { name: 'A', type: A },
          { name: 'B', type: A },
        ],
      },
      /classes\[1\] \('B'\): this class is already registered as classes\[0\]/,
    ],
    [
      'a built-in the serializer writes itself',
      { classes: [{ name: 'M', type: Map }] },
      /type is Map, which the serializer already writes itself/,
    ],
    ['Object', { classes: [{ name: 'O', type: Object }] }, /type is Object/],
    [
      'a Map subclass without hooks',
      { classes: [{ name: 'M', type: class M extends Map {} }] },
      /extends Map, whose contents are not own properties: give it both toJSON and revive/,
    ],
    [
      'an Array subclass with toJSON only',
      { classes: [{ name: 'L', type: class L extends Array {}, toJSON: () => [] }] },
      /extends Array/,
    ],
    ['an Error without hooks', { classes: [{ name: 'E', type: Error }] }, /extends Error/],
  ])('%s', (_what, options, message) => {
    let error: unknown;
    try {
      createJsonSerializer(options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it('a built-in subclass with both hooks round-trips', () => {
    class Tags extends Set<string> {}
    const s = createJsonSerializer({
      classes: [{ name: 'Tags', type: Tags, toJSON: (t) => [...t], revive: (list) => new Tags(list as string[]) }],
    });
    const back = roundTrip(new Tags(['a', 'b']), s);
    expect(back).toBeInstanceOf(Tags);
    expect([...back]).toEqual(['a', 'b']);
  });
});

describe('through a cache on a byte store', () => {
  function setup(s: Serializer) {
    const cache = createCache({ store: memoryStore({ serialize: true }), namespace: 'cls', serializer: s });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (e) => errors.push(e));
    return { cache, errors };
  }

  it('a registered class is cached: the second call is a hit that returns a User', async () => {
    const { cache, errors } = setup(serializer);
    let calls = 0;
    const load = () => (calls++, new User(7, 'Cy'));
    await cache.wrap('u', load);
    const hit = await cache.wrap('u', load);
    expect(calls).toBe(1);
    expect(hit).toBeInstanceOf(User);
    expect(hit.label).toBe('7:Cy');
    expect(errors).toEqual([]);
  });

  it('without registration the serialize error names the class and the path', async () => {
    const { cache, errors } = setup(jsonSerializer);
    await cache.wrap('u', () => ({ owner: new User(1, 'a') }));
    expect(errors[0]!.kind).toBe('serialize');
    expect(errors[0]!.error).toMatchObject({ className: 'User', path: '$.owner' });
    expect((errors[0]!.error as Error).message).toContain('instance of User at $.owner');
  });

  it('the JSON envelope (one JSON.parse per read) is used for any JSON serializer', () => {
    const limits = { maxPayloadBytes: 1 << 20 };
    const record: CacheRecord = {
      value: new User(1, 'a'),
      storedAt: 1,
      expiresAt: 2,
      tags: ['t#'],
      versions: [0],
      delta: 0,
    };
    const encoded = encodeRecord(record, serializer, limits);
    expect(Buffer.from(encoded).toString()[0]).toBe('[');
    const back = decodeRecord(encoded, serializer, limits);
    expect(back.value).toBeInstanceOf(User);
    expect(() => decodeRecord(encoded, jsonSerializer, limits)).toThrow(DecodeError);
  });
});

describe("assertSerializable (the memory store's check mode)", () => {
  it('passes what encode accepts and throws what encode throws, for JSON and custom serializers', () => {
    expect(() => assertSerializable({ a: [1, new Date(0)] }, jsonSerializer)).not.toThrow();
    expect(() => assertSerializable(new User(1, 'a'), serializer)).not.toThrow();
    expect(() => assertSerializable({ u: new User(1, 'a') }, jsonSerializer)).toThrow(
      expect.objectContaining({ name: 'SerializationError', className: 'User', path: '$.u' }),
    );
    const custom: Serializer = {
      name: 'strict',
      encode: () => {
        throw new Error('nope');
      },
      decode: () => 1,
    };
    expect(() => assertSerializable(1, custom)).toThrow(SerializationError);
  });
});

describe('types', () => {
  it("each entry's hooks are typed by its own class", () => {
    createJsonSerializer({
      classes: [
        // @ts-expect-error Money has no `id`
        { name: 'M', type: Money, toJSON: (m) => m.id },
        // @ts-expect-error revive must return a User
        { name: 'U', type: User, revive: () => new Money(1) },
      ],
    });
    expect(() =>
      createJsonSerializer({
        classes: [{ name: 'M', type: Money, toJSON: (m) => m.cents, revive: () => new Money(0) }],
      }),
    ).not.toThrow();
  });
});
