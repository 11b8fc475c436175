import { DecodeError } from './errors.js';

/** The key that marks a tagged value; a user key that starts with it is escaped by doubling it. */
export const MARK = '\u0000';
/** Values nested deeper are refused on encode and on decode (a payload cannot make decoding recurse further). */
export const MAX_DEPTH = 200;
/**
 * Longest BigInt, in decimal digits (about 3,300 bits), written or read. Parsing a BigInt
 * costs time quadratic in its digits (7 million digits: about a second on the event loop),
 * so a payload cannot hold a bigger one, and none is written that could not be read back.
 */
export const MAX_BIGINT_DIGITS = 1000;
const BIGINT_LIMIT = 10n ** BigInt(MAX_BIGINT_DIGITS); // |v| < 10^1000 <=> at most 1000 digits
const BIGINT_TEXT = /^-?\d+$/;

/** A tagged value: an object whose `"\u0000"` key names its kind. */
export type Special = { readonly [MARK]: string; readonly [key: string]: unknown };

/**
 * Why a part of a value cannot be encoded, with its place in the value: each container
 * it passes through on the way out adds its segment (innermost first).
 */
export class Refusal extends Error {
  readonly segments: string[] = [];
  readonly className: string | undefined;
  constructor(
    readonly what: string,
    options?: { className?: string | undefined; cause?: unknown },
  ) {
    super(what, options?.cause === undefined ? undefined : { cause: options.cause });
    this.className = options?.className;
  }
  /** `$` for the value itself, then the segments outermost first. */
  path(): string {
    let path = '$';
    for (let i = this.segments.length - 1; i >= 0; i--) path += this.segments[i];
    return path;
  }
}

/** The refusal of an instance of a class the serializer does not know. */
export function refuseClass(proto: object): Refusal {
  const name = className(proto);
  return new Refusal(name === undefined ? 'an instance of an anonymous class' : `an instance of ${name}`, {
    className: name,
  });
}

/** The name of the class whose prototype this is, read without running getters. */
export function className(proto: object): string | undefined {
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value as unknown;
  if (typeof ctor !== 'function') return undefined;
  const name = Object.getOwnPropertyDescriptor(ctor, 'name')?.value as unknown;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** Encodes a primitive: itself when JSON keeps it, a tag when JSON would lose it. */
export function encodeSpecial(value: unknown): unknown {
  switch (typeof value) {
    case 'undefined':
      return { [MARK]: 'U' };
    case 'number':
      if (Number.isNaN(value)) return { [MARK]: 'N' };
      if (value === Infinity) return { [MARK]: 'I' };
      if (value === -Infinity) return { [MARK]: '-I' };
      if (Object.is(value, -0)) return { [MARK]: 'Z' };
      return value;
    case 'bigint':
      if (value >= BIGINT_LIMIT || value <= -BIGINT_LIMIT) {
        throw new Refusal(`a BigInt of more than ${MAX_BIGINT_DIGITS} digits (it could not be read back)`);
      }
      return { [MARK]: 'B', v: value.toString() };
    case 'function':
    case 'symbol':
      throw new Refusal(`a ${typeof value}`);
    default:
      return value; // string, boolean, null
  }
}

type TypedArrayMaker = (bytes: Uint8Array) => ArrayBufferView;
const TYPED_ARRAYS: ReadonlyMap<string, TypedArrayMaker> = new Map<string, TypedArrayMaker>([
  ['Int8Array', (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength)],
  ['Uint8Array', (b) => new Uint8Array(b)],
  ['Uint8ClampedArray', (b) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength)],
  ['Int16Array', (b) => new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2)],
  ['Uint16Array', (b) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2)],
  ['Int32Array', (b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4)],
  ['Uint32Array', (b) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4)],
  ['Float32Array', (b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)],
  ['Float64Array', (b) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8)],
  ['BigInt64Array', (b) => new BigInt64Array(b.buffer, b.byteOffset, b.byteLength / 8)],
  ['BigUint64Array', (b) => new BigUint64Array(b.buffer, b.byteOffset, b.byteLength / 8)],
  ['Buffer', (b) => Buffer.from(b)],
]);

/**
 * Decodes a tagged built-in value (undefined, NaN, ±Infinity, -0, BigInt, Date, Map, Set,
 * typed arrays); `decode` decodes the parts of a Map or Set. Anything else is a `DecodeError`.
 */
export function decodeSpecial(record: Record<string, unknown>, decode: (item: unknown) => unknown): unknown {
  const v = record.v;
  switch (record[MARK]) {
    case 'U':
      return undefined;
    case 'N':
      return Number.NaN;
    case 'I':
      return Infinity;
    case '-I':
      return -Infinity;
    case 'Z':
      return -0;
    case 'B':
      if (typeof v !== 'string') break;
      // Checked before parsing: the parse is what would take the time.
      if (v.length > MAX_BIGINT_DIGITS + 1)
        throw new DecodeError(`BigInt of more than ${MAX_BIGINT_DIGITS} digits in payload`);
      if (!BIGINT_TEXT.test(v)) break;
      return BigInt(v);
    case 'D':
      if (v !== null && typeof v !== 'number') break;
      return new Date(v ?? Number.NaN);
    case 'M':
      if (!Array.isArray(v)) break;
      return new Map(
        v.map((pair: unknown) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new DecodeError('bad Map entry in payload');
          return [decode(pair[0]), decode(pair[1])] as const;
        }),
      );
    case 'S':
      if (!Array.isArray(v)) break;
      return new Set(v.map(decode));
    case 'A':
      return decodeTypedArray(record.c, v);
    default:
      throw new DecodeError(`unknown tagged value ${JSON.stringify(record[MARK])} in payload`);
  }
  throw new DecodeError(`bad ${String(record[MARK])} value in payload`);
}

function decodeTypedArray(name: unknown, v: unknown): ArrayBufferView {
  const make = typeof name === 'string' ? TYPED_ARRAYS.get(name) : undefined;
  if (make === undefined || typeof v !== 'string') throw new DecodeError('bad typed array in payload');
  // Copy into a fresh, aligned buffer so every element width can view it. Its length is
  // bounded by the payload's.
  const bytes = new Uint8Array(Buffer.from(v, 'base64'));
  let array: ArrayBufferView;
  try {
    array = make(bytes);
  } catch (cause) {
    throw new DecodeError(`bad ${name as string} in payload`, { cause });
  }
  // A length that is not a whole number of elements would be truncated, not refused.
  if (array.byteLength !== bytes.byteLength) throw new DecodeError(`bad ${name as string} in payload`);
  return array;
}
