// Values that JSON would change silently: each one either round-trips exactly or is refused
// with a SerializationError that says where it is (issue 6, item 7).

import { DecodeError, jsonSerializer, SerializationError } from '@cachewise/core';
import { describe, expect, it } from 'vitest';

const roundTrip = <T>(value: T): T => jsonSerializer.decode(jsonSerializer.encode(value)) as T;
const bytes = (text: string) => Buffer.from(text, 'utf8');

function refusal(value: unknown): SerializationError {
  try {
    jsonSerializer.encode(value);
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError');
}

describe('sparse arrays keep their holes', () => {
  it.each([
    ['a hole in the middle', [1, , 3]],
    ['only holes', new Array(5)],
    ['trailing holes', Object.assign(new Array(4), { 0: 'a' })],
    ['leading holes', Object.assign(new Array(3), { 2: 'c' })],
    ['holes beside undefined', Object.assign(new Array(4), { 1: undefined, 3: null })],
  ])('%s', (_what, array: unknown[]) => {
    const back = roundTrip(array);
    expect(Array.isArray(back)).toBe(true);
    expect(back).toHaveLength(array.length);
    for (let i = 0; i < array.length; i++) {
      expect(i in back).toBe(i in array);
      expect(back[i]).toBe(array[i]);
    }
  });

  it('a huge sparse array costs its present elements, not its length', () => {
    const array: unknown[] = [];
    array[2 ** 32 - 2] = 'last';
    array[7] = 'seven';
    const encoded = jsonSerializer.encode(array);
    expect(encoded.byteLength).toBeLessThan(200);
    const back = jsonSerializer.decode(encoded) as unknown[];
    expect(back).toHaveLength(2 ** 32 - 1);
    expect(back[7]).toBe('seven');
    expect(back[2 ** 32 - 2]).toBe('last');
    expect(Object.keys(back)).toEqual(['7', '4294967294']);
  });

  it('nested in objects, Maps and Sets', () => {
    const back = roundTrip({ list: [, 1], map: new Map([['k', [, 2]]]) });
    expect(0 in back.list).toBe(false);
    expect(0 in back.map.get('k')!).toBe(false);
  });
});

describe('arrays with other own properties keep them', () => {
  it('Object.assign([1], { x: 2 })', () => {
    const back = roundTrip(Object.assign([1, 2], { x: 2, nested: { d: new Date(1) }, '\u0000m': 1 }));
    expect(Array.isArray(back)).toBe(true);
    expect([...back]).toEqual([1, 2]);
    expect(back.x).toBe(2);
    expect(back.nested.d).toEqual(new Date(1));
    expect(back['\u0000m']).toBe(1);
    expect(Object.keys(back)).toEqual(['0', '1', 'x', 'nested', '\u0000m']);
  });

  it('a RegExp match array (index, input, groups)', () => {
    const match = /(?<word>b+)/.exec('abbc')!;
    const back = roundTrip(match);
    expect([...back]).toEqual(['bb', 'bb']);
    expect(back.index).toBe(1);
    expect(back.input).toBe('abbc');
    expect(Object.getPrototypeOf(back.groups)).toBeNull();
    expect({ ...back.groups }).toEqual({ word: 'bb' });
  });

  it('holes and extra properties together', () => {
    const back = roundTrip(Object.assign([1, , 3], { x: 'y' }));
    expect(1 in back).toBe(false);
    expect(back).toHaveLength(3);
    expect(back.x).toBe('y');
  });
});

describe('null-prototype objects keep a null prototype', () => {
  it('at the top and nested, with any keys', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, {
      a: 1,
      toJSON: 'not a function',
      ['__proto__']: 'own',
      '\u0000': 'mark',
      inner: Object.create(null),
    });
    const back = roundTrip({ bare });
    expect(Object.getPrototypeOf(back.bare)).toBeNull();
    expect(Object.getPrototypeOf(back.bare.inner)).toBeNull();
    expect(Object.keys(back.bare)).toEqual(Object.keys(bare));
    expect(back.bare.a).toBe(1);
    expect(back.bare.toJSON).toBe('not a function');
    expect(Object.getOwnPropertyDescriptor(back.bare, '__proto__')?.value).toBe('own');
    expect(back.bare['\u0000']).toBe('mark');
  });
});

describe('refused, with the place and the class named', () => {
  class MyArray<T> extends Array<T> {}
  class MyMap<K, V> extends Map<K, V> {}
  class MySet<T> extends Set<T> {}
  class MyDate extends Date {}
  class MyBytes extends Uint8Array {}
  class MyError extends Error {}

  it.each([
    ['an Array subclass', MyArray.from([1]), 'MyArray'],
    ['a Map subclass', new MyMap([[1, 2]]), 'MyMap'],
    ['a Set subclass', new MySet([1]), 'MySet'],
    ['a Date subclass', new MyDate(0), 'MyDate'],
    ['a typed-array subclass', new MyBytes([1]), 'MyBytes'],
    ['an Error', new Error('e'), 'Error'],
    ['an Error subclass', new MyError('e'), 'MyError'],
    ['a RegExp', /a/g, 'RegExp'],
    ['a boxed number', new Number(1), 'Number'],
    ['a boxed string', new String('s'), 'String'],
    ['a boxed boolean', new Boolean(false), 'Boolean'],
    ['a boxed BigInt', Object(1n) as object, 'BigInt'],
    ['a DataView', new DataView(new ArrayBuffer(2)), 'DataView'],
    ['an ArrayBuffer', new ArrayBuffer(2), 'ArrayBuffer'],
    ['a Promise', Promise.resolve(1), 'Promise'],
  ])('%s', (_what, value, className) => {
    const error = refusal({ list: [0, value] });
    expect(error.className).toBe(className);
    expect(error.path).toBe('$.list[1]');
    expect(error.message).toContain(`instance of ${className} at $.list[1]`);
  });

  it('a class named like a typed array is not one', () => {
    const Impostor = class extends Uint8Array {};
    Object.defineProperty(Impostor, 'name', { value: 'Uint8Array' });
    const error = refusal(new Impostor(1));
    expect(error.className).toBe('Uint8Array');
    expect(error.path).toBe('$');
  });

  it('an anonymous class', () => {
    const error = refusal(new (class {})());
    expect(error.message).toContain('an instance of an anonymous class');
    expect(error.className).toBeUndefined();
    expect(error.path).toBe('$');
  });

  it.each([
    ['an enumerable symbol key', { a: 1, [Symbol('tag')]: 2 }, /symbol-keyed property \(Symbol\(tag\)\)/],
    ['a symbol key on an array', Object.assign([1], { [Symbol('s')]: 1 }), /symbol-keyed/],
    [
      'a symbol key on a null-prototype object',
      Object.assign(Object.create(null) as object, { [Symbol('s')]: 1 }),
      /symbol-keyed/,
    ],
    ['a Map with own properties', Object.assign(new Map(), { extra: 1 }), /Map with its own properties/],
    ['a Set with own properties', Object.assign(new Set(), { extra: 1 }), /Set with its own properties/],
    ['a Date with own properties', Object.assign(new Date(0), { extra: 1 }), /Date with its own properties/],
    ['a Map with a symbol property', Object.assign(new Map(), { [Symbol('s')]: 1 }), /Map with its own properties/],
  ])('%s', (_what, value, message) => {
    const error = refusal({ deep: { value } });
    expect(error.message).toMatch(message);
    expect(error.path).toBe('$.deep.value');
    expect(error.className).toBeUndefined();
  });

  it('a non-enumerable symbol key is not part of the value, like other non-enumerable properties', () => {
    const value = Object.defineProperty({ a: 1 }, Symbol('meta'), { value: 1, enumerable: false });
    Object.defineProperty(value, 'hidden', { value: 2, enumerable: false });
    expect(Reflect.ownKeys(roundTrip(value))).toEqual(['a']);
  });

  it('paths through keys, Map values, Map keys, Set items and odd keys', () => {
    class User {}
    const user = new User();
    expect(refusal({ orders: [{}, {}, {}, { owner: user }] }).path).toBe('$.orders[3].owner');
    expect(refusal({ 'odd key': [user] }).path).toBe('$["odd key"][0]');
    expect(refusal(new Map([['a', user]])).path).toBe('$.get("a")');
    expect(refusal(new Map([[7, user]])).path).toBe('$.get(7)');
    expect(refusal(new Map([[7n, user]])).path).toBe('$.get(7n)');
    expect(refusal(new Map([[true, user]])).path).toBe('$.get(true)');
    expect(refusal(new Map([[null, user]])).path).toBe('$.get(null)');
    expect(refusal(new Map([[undefined, user]])).path).toBe('$.get(undefined)');
    expect(refusal(new Map([[{}, user]])).path).toBe('$.entries[0][1]');
    expect(
      refusal(
        new Map([
          [1, 1],
          [user, 1],
        ]),
      ).path,
    ).toBe('$.entries[1][0]');
    expect(refusal(new Set([1, user])).path).toBe('$.values[1]');
    expect(refusal(Object.assign([1], { extra: user })).path).toBe('$.extra');
    expect(refusal({ f: () => 1 }).path).toBe('$.f');
    expect(refusal({ s: Symbol('x') }).message).toMatch(/a symbol at \$\.s/);
  });
});

describe('accessor properties are read when the value is written', () => {
  it('a getter is stored as the value it returns, as a data property', () => {
    const back = roundTrip({
      a: 1,
      get twice() {
        return 2;
      },
      when: new Date(0),
    });
    expect(Object.getOwnPropertyDescriptor(back, 'twice')).toMatchObject({ value: 2, writable: true });
  });

  it('a setter-only property reads as undefined, and is stored as undefined', () => {
    const value = Object.defineProperty({}, 's', { set() {}, enumerable: true });
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['s']);
    expect(back.s).toBeUndefined();
  });
});

describe('hostile array payloads', () => {
  it.each([
    ['a hole run that is not a positive integer', 't{"\\u0000":"R","v":[{"\\u0000":"H","n":0}]}'],
    ['a hole run past the longest array', 't{"\\u0000":"R","v":[{"\\u0000":"H","n":4294967296}]}'],
    ['elements past the longest array', 't{"\\u0000":"R","v":[{"\\u0000":"H","n":4294967294},1,2]}'],
    ['an extra property named length', 't{"\\u0000":"R","v":[1],"p":{"length":9}}'],
    ['an extra property that is an index', 't{"\\u0000":"R","v":[1],"p":{"5":9}}'],
    ['an array tag without elements', 't{"\\u0000":"R"}'],
    ['a hole run outside an array', 't{"\\u0000":"H","n":3}'],
    ['a null-prototype tag without properties', 't{"\\u0000":"O","v":[1]}'],
  ])('%s is a DecodeError', (_what, text) => {
    expect(() => jsonSerializer.decode(bytes(text))).toThrow(DecodeError);
  });

  it('an extra property named __proto__ stays an own property', () => {
    const back = jsonSerializer.decode(bytes('t{"\\u0000":"R","v":[1],"p":{"__proto__":{"polluted":1}}}')) as unknown[];
    expect(Object.getPrototypeOf(back)).toBe(Array.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
