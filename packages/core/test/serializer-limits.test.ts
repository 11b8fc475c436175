// Decode work a payload can ask for is bounded by its size: BigInts have a digit limit,
// nesting a depth limit, hole runs cost nothing per hole (issue 6, item 13).

import { DecodeError, jsonSerializer, SerializationError } from '@cachewise/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_BIGINT_DIGITS } from '../src/json-special.js';
// Internal: the record codec is not public API.
import { decodeRecord } from '../src/record.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const limits = { maxPayloadBytes: 16 << 20 };

afterEach(() => vi.restoreAllMocks());

describe('BigInt digits', () => {
  const largest = 10n ** BigInt(MAX_BIGINT_DIGITS) - 1n; // 1000 nines

  it('is 1000', () => {
    expect(MAX_BIGINT_DIGITS).toBe(1000);
  });

  it('a BigInt of 1000 digits, either sign, round-trips', () => {
    for (const value of [largest, -largest]) {
      expect(jsonSerializer.decode(jsonSerializer.encode({ value }))).toEqual({ value });
    }
  });

  it.each([
    ['1001 digits', largest + 1n],
    ['-1001 digits', -largest - 1n],
  ])('a BigInt of %s is refused on encode, with its path', (_what, value) => {
    let error: unknown;
    try {
      jsonSerializer.encode({ list: [value] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toMatchObject({ path: '$.list[0]' });
    expect((error as Error).message).toMatch(/BigInt of more than 1000 digits/);
  });

  it('a 7-million-digit BigInt in a payload is a DecodeError, and is never parsed', () => {
    const spy = vi.spyOn(globalThis, 'BigInt');
    const text = `t{"n":{"\\u0000":"B","v":"${'9'.repeat(7_000_000)}"}}`;
    expect(() => jsonSerializer.decode(bytes(text))).toThrow(DecodeError);
    expect(spy).not.toHaveBeenCalled();
    const envelope = bytes(`[2,0,1,[],[],1,{"\\u0000":"B","v":"-${'1'.repeat(MAX_BIGINT_DIGITS + 1)}"}]`);
    expect(() => decodeRecord(envelope, jsonSerializer, limits)).toThrow(/more than 1000 digits/);
    expect(spy).not.toHaveBeenCalled();
  });

  it('a BigInt64Array is bounded by its bytes, not by the digit limit', () => {
    const array = new BigUint64Array([2n ** 64n - 1n]);
    expect(jsonSerializer.decode(jsonSerializer.encode(array))).toEqual(array);
  });
});

describe('nesting', () => {
  it('a tagged payload nested 100,000 deep is a DecodeError, not a stack overflow', () => {
    const depth = 100_000;
    const text = `t${'{"a":'.repeat(depth)}{"\\u0000":"U"}${'}'.repeat(depth)}`;
    let error: unknown;
    try {
      jsonSerializer.decode(bytes(text));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as Error).message).toMatch(/nested too deeply/);
  });

  it('the same in an envelope, through arrays, Maps and Sets', () => {
    const depth = 50_000;
    for (const [open, close] of [
      ['[', ']'],
      ['{"\\u0000":"M","v":[[1,', ']]}'],
      ['{"\\u0000":"S","v":[', ']}'],
    ]) {
      const envelope = bytes(`[2,0,1,[],[],1,${open!.repeat(depth)}{"\\u0000":"U"}${close!.repeat(depth)}]`);
      expect(() => decodeRecord(envelope, jsonSerializer, limits)).toThrow(DecodeError);
    }
  });
});

describe('size', () => {
  it('a hole run stands for any number of holes at the cost of one marker', () => {
    const back = jsonSerializer.decode(bytes('t{"\\u0000":"R","v":[{"\\u0000":"H","n":4294967295}]}')) as unknown[];
    expect(back).toHaveLength(2 ** 32 - 1);
    expect(Object.keys(back)).toEqual([]);
  });

  it('a typed array holds the bytes its base64 text holds, no more', () => {
    const text = 'A'.repeat(4 * 1000);
    const back = jsonSerializer.decode(bytes(`t{"\\u0000":"A","c":"Uint8Array","v":"${text}"}`)) as Uint8Array;
    expect(back.byteLength).toBe(3000);
  });
});
