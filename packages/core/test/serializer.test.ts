import { CacheError, DecodeError, isSerializationError, jsonSerializer, SerializationError } from '@cachewise/core';
import { describe, expect, it } from 'vitest';

const roundTrip = <T>(value: T): T => jsonSerializer.decode(jsonSerializer.encode(value)) as T;

const TYPED_ARRAYS = [
  new Int8Array([-128, 0, 127]),
  new Uint8Array([0, 1, 255]),
  new Uint8ClampedArray([0, 128, 255]),
  new Int16Array([-32768, 0, 32767]),
  new Uint16Array([0, 65535]),
  new Int32Array([-2147483648, 2147483647]),
  new Uint32Array([0, 4294967295]),
  new Float32Array([1.5, -0, Number.NaN, Infinity]),
  new Float64Array([Math.PI, -Infinity, 5e-324]),
  new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
  new BigUint64Array([0n, 2n ** 64n - 1n]),
];

describe('jsonSerializer round trips', () => {
  it.each([
    ['a Date', new Date(1_700_000_000_123)],
    ['an invalid Date', new Date(Number.NaN)],
    ['a BigInt', 12345678901234567890123n],
    ['a negative BigInt', -5n],
    [
      'a Map',
      new Map<unknown, unknown>([
        [1, 'a'],
        ['1', { b: 2n }],
        [new Date(0), new Set([1])],
      ]),
    ],
    ['a Set', new Set([1, '1', null, undefined])],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-0', -0],
    ['null', null],
    ['plain JSON', { a: [1, 'two', true, null, { c: {} }], s: 'üñí©ødé 😀' }],
    ['an empty string', ''],
  ])('%s', (_what, value) => {
    expect(roundTrip(value)).toStrictEqual(value); // Object.is for primitives: NaN, -0
  });

  it('undefined inside arrays and objects comes back as undefined, and a hole as a hole', () => {
    const back = roundTrip({ a: undefined, list: [1, undefined, 3], nested: { deep: [undefined] } });
    expect(back).toStrictEqual({ a: undefined, list: [1, undefined, 3], nested: { deep: [undefined] } });
    expect(Object.keys(back)).toContain('a');
    expect(1 in back.list).toBe(true);
    const holey = roundTrip([1, , 3]);
    expect(1 in holey).toBe(false);
    expect(holey).toHaveLength(3);
  });

  it('-0 and NaN inside structures', () => {
    const back = roundTrip({ z: -0, n: Number.NaN, list: [-0, Infinity] });
    expect(Object.is(back.z, -0)).toBe(true);
    expect(Number.isNaN(back.n)).toBe(true);
    expect(Object.is(back.list[0], -0)).toBe(true);
    expect(back.list[1]).toBe(Infinity);
  });

  it.each(TYPED_ARRAYS.map((array) => [array.constructor.name, array] as const))('%s', (_name, array) => {
    const back = roundTrip(array);
    expect(back.constructor).toBe(array.constructor);
    expect(back).toStrictEqual(array);
    expect(back).not.toBe(array);
  });

  it('a typed array that views part of a larger buffer keeps only its own bytes', () => {
    const buffer = new ArrayBuffer(32);
    const view = new Int32Array(buffer, 8, 2);
    view.set([7, -7]);
    const back = roundTrip(view);
    expect(back).toBeInstanceOf(Int32Array);
    expect([...back]).toEqual([7, -7]);
    expect(back.byteLength).toBe(8);
  });

  it('a Buffer comes back as a Buffer', () => {
    const back = roundTrip(Buffer.from('héllo'));
    expect(Buffer.isBuffer(back)).toBe(true);
    expect(back.toString()).toBe('héllo');
  });

  it('nested special values', () => {
    const value = {
      when: new Date(5),
      byId: new Map([[1n, { tags: new Set(['a']), bytes: new Uint16Array([1, 2]) }]]),
      list: [new Map(), new Set(), [undefined, -0, Number.NaN]],
    };
    expect(roundTrip(value)).toStrictEqual(value);
  });

  it('plain JSON is written as plain JSON (no tags)', () => {
    const bytes = jsonSerializer.encode({ a: 1 });
    expect(Buffer.from(bytes).toString()).toBe('j{"a":1}');
    expect(Buffer.from(jsonSerializer.encode({ d: new Date(0) })).toString()[0]).toBe('t');
  });
});

describe('user keys that look like tags', () => {
  it.each([
    [{ '\u0000': 'U' }],
    [{ '\u0000': 'B', v: '1' }],
    [{ '\u0000x': 1, y: 2 }],
    [{ '\u0000\u0000': 'D', v: 0 }],
    [{ nested: { '\u0000': 'M', v: [] } }],
    [[{ '\u0000': 'N' }]],
    [{ '\u0000': 'U', when: new Date(0) }],
  ])('%j round-trips unchanged', (value) => {
    const back = roundTrip(value);
    expect(back).toStrictEqual(value);
  });

  it('a string value "\\u0000" is just a string', () => {
    expect(roundTrip({ a: '\u0000', b: ['\u0000U'] })).toStrictEqual({ a: '\u0000', b: ['\u0000U'] });
  });
});

describe('values that cannot come back as the same type are refused', () => {
  class User {
    constructor(readonly id: number) {}
  }
  it.each([
    ['a class instance', new User(1)],
    ['a nested class instance', { user: new User(1) }],
    ['a function', () => 1],
    ['a nested function', { f: () => 1 }],
    ['a symbol', Symbol('s')],
    ['a DataView', new DataView(new ArrayBuffer(4))],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a RegExp', /a/],
    ['an Error', new Error('e')],
    ['an object with a toJSON function', { toJSON: () => 'x' }],
  ])('%s', (_what, value) => {
    let error: unknown;
    try {
      jsonSerializer.encode(value);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toBeInstanceOf(CacheError);
    expect(isSerializationError(error)).toBe(true);
    expect((error as SerializationError).code).toBe('ERR_CACHE_SERIALIZE');
  });

  it('a cycle', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonSerializer.encode(cyclic)).toThrow(SerializationError);
  });

  it('an object nested deeper than the limit', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 300; i++) deep = { d: deep };
    expect(() => jsonSerializer.encode(deep)).toThrow(SerializationError);
  });

  it('names the class in the message', () => {
    expect(() => jsonSerializer.encode(new User(1))).toThrow(/instance of User/);
  });
});

describe('decoding hostile bytes', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it.each([
    ['j{"__proto__": {"polluted": true}}'],
    ['t{"__proto__": {"polluted": true}, "d": {"\\u0000": "D", "v": 0}}'],
    ['t{"a": {"constructor": {"prototype": {"polluted": true}}}, "u": {"\\u0000": "U"}}'],
    ['t{"\\u0000__proto__": {"polluted": true}}'],
    ['t{"m": {"\\u0000": "M", "v": [[{"__proto__": {"polluted": true}}, 1]]}}'],
  ])('%s does not pollute Object.prototype', (text) => {
    const value = jsonSerializer.decode(bytes(text)) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('keeps a __proto__ key as an own data property', () => {
    const value = jsonSerializer.decode(bytes('t{"__proto__": {"x": 1}, "u": {"\\u0000": "U"}}')) as object;
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')?.value).toEqual({ x: 1 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    ['an unknown format byte', 'x{}'],
    ['invalid JSON', 'j{'],
    ['an empty payload', ''],
    ['an unknown tag', 't{"\\u0000": "EVAL", "v": "process.exit()"}'],
    ['a BigInt that is not an integer', 't{"\\u0000": "B", "v": "1e9"}'],
    ['a typed array of an unknown class', 't{"\\u0000": "A", "c": "__proto__", "v": ""}'],
    ['a typed array named after a prototype method', 't{"\\u0000": "A", "c": "constructor", "v": ""}'],
    ['a misaligned typed array', 't{"\\u0000": "A", "c": "Int32Array", "v": "AQID"}'],
    ['a bad Map entry', 't{"\\u0000": "M", "v": [1]}'],
    ['a Date of a string', 't{"\\u0000": "D", "v": "2020-01-01"}'],
  ])('%s is a DecodeError', (_what, text) => {
    expect(() => jsonSerializer.decode(bytes(text))).toThrow(DecodeError);
  });
});
