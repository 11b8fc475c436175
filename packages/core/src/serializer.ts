import { DecodeError, SerializationError } from './errors.js';

/**
 * Turns values into bytes and back: the one place that does, used for every store that
 * keeps bytes (Redis, or the memory store with `serialize: true`).
 *
 * A custom serializer must be lossless for the values it accepts and throw for the ones
 * it cannot encode; it must never execute code while decoding.
 */
export interface Serializer {
  /** A short name, written into nothing; shown in errors. */
  readonly name: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

const MARK = '\u0000';
const PLAIN = 0x6a; // 'j': the value is plain JSON
const TAGGED = 0x74; // 't': the value holds tagged special values
const MAX_DEPTH = 200;

type TypedArrayName =
  | 'Int8Array' | 'Uint8Array' | 'Uint8ClampedArray' | 'Int16Array' | 'Uint16Array' | 'Int32Array'
  | 'Uint32Array' | 'Float32Array' | 'Float64Array' | 'BigInt64Array' | 'BigUint64Array' | 'Buffer';
const TYPED_ARRAYS: Record<TypedArrayName, (bytes: Uint8Array) => ArrayBufferView> = {
  Int8Array: (b) => new Int8Array(b.buffer, b.byteOffset, b.byteLength),
  Uint8Array: (b) => new Uint8Array(b),
  Uint8ClampedArray: (b) => new Uint8ClampedArray(b.buffer, b.byteOffset, b.byteLength),
  Int16Array: (b) => new Int16Array(b.buffer, b.byteOffset, b.byteLength / 2),
  Uint16Array: (b) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2),
  Int32Array: (b) => new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4),
  Uint32Array: (b) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4),
  Float32Array: (b) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4),
  Float64Array: (b) => new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8),
  BigInt64Array: (b) => new BigInt64Array(b.buffer, b.byteOffset, b.byteLength / 8),
  BigUint64Array: (b) => new BigUint64Array(b.buffer, b.byteOffset, b.byteLength / 8),
  Buffer: (b) => Buffer.from(b),
};

/**
 * The default serializer: JSON, plus tagged forms for what JSON loses — Date, BigInt, Map,
 * Set, undefined, NaN, ±Infinity, -0 and typed arrays. Tags are objects with a `"\u0000"`
 * key; a user key that starts with `"\u0000"` is escaped, so nothing is guessed. Values
 * with no special parts cost one `JSON.stringify`/`JSON.parse`.
 *
 * Class instances (other than the types above), functions and symbols are refused with a
 * `SerializationError`: they could not come back as the same type.
 */
export const jsonSerializer: Serializer = {
  name: 'json',
  encode(value) {
    const { text, tagged } = toJsonText(value);
    const body = Buffer.from(` ${text}`, 'utf8');
    body[0] = tagged ? TAGGED : PLAIN;
    return body;
  },
  decode(bytes) {
    if (bytes.byteLength === 0) throw new DecodeError('empty payload');
    const kind = bytes[0];
    const text = Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.byteLength - 1).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new DecodeError('payload is not valid JSON', { cause });
    }
    if (kind === PLAIN) return parsed;
    if (kind === TAGGED) return fromTagged(parsed, 0);
    throw new DecodeError(`unknown value format ${String(kind)}`);
  },
};

/**
 * @internal The JSON text of a value, and whether it holds tagged special values. The
 * record envelope embeds this text directly, so a read is a single `JSON.parse`.
 */
export function toJsonText(value: unknown): { readonly text: string; readonly tagged: boolean } {
  if (isPlainJson(value, 0)) return { text: JSON.stringify(value), tagged: false };
  return { text: JSON.stringify(toTagged(value, 0, [])), tagged: true };
}

/** @internal The value from parsed JSON text made by {@link toJsonText}. */
export function fromJsonParsed(parsed: unknown, tagged: boolean): unknown {
  return tagged ? fromTagged(parsed, 0) : parsed;
}

function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      if ('toJSON' in value) return false;
      for (const key in value) {
        if (key.startsWith(MARK) || !isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function refuse(what: string): SerializationError {
  return new SerializationError(
    `cannot serialize ${what}: it would not come back as the same type. Cache plain data ` +
      `(objects, arrays, Date, Map, Set, BigInt, typed arrays), or pass a custom \`serializer\`.`,
  );
}

function toTagged(value: unknown, depth: number, stack: object[]): unknown {
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
      return { [MARK]: 'B', v: value.toString() };
    case 'string':
    case 'boolean':
      return value;
    case 'function':
    case 'symbol':
      throw refuse(`a ${typeof value}`);
    default:
      break;
  }
  if (value === null) return null;
  const object = value as object;
  if (depth > MAX_DEPTH) throw refuse(`a value nested deeper than ${MAX_DEPTH} levels`);
  if (stack.includes(object)) throw refuse('a value with a cycle');
  stack.push(object);
  try {
    if (Array.isArray(object)) {
      const out: unknown[] = new Array(object.length);
      for (let i = 0; i < object.length; i++) out[i] = toTagged(object[i], depth + 1, stack);
      return out;
    }
    if (object instanceof Date) {
      const time = object.getTime();
      return { [MARK]: 'D', v: Number.isNaN(time) ? null : time };
    }
    if (object instanceof Map) {
      return { [MARK]: 'M', v: [...object].map(([k, v]) => [toTagged(k, depth + 1, stack), toTagged(v, depth + 1, stack)]) };
    }
    if (object instanceof Set) {
      return { [MARK]: 'S', v: [...object].map((item) => toTagged(item, depth + 1, stack)) };
    }
    if (ArrayBuffer.isView(object)) {
      const name = (Buffer.isBuffer(object) ? 'Buffer' : object.constructor.name) as TypedArrayName;
      if (!(name in TYPED_ARRAYS)) throw refuse(`a ${name}`);
      const bytes = Buffer.from(object.buffer, object.byteOffset, object.byteLength);
      return { [MARK]: 'A', c: name, v: bytes.toString('base64') };
    }
    const proto = Object.getPrototypeOf(object) as { constructor?: { name?: string } } | null;
    if (proto !== Object.prototype && proto !== null) {
      throw refuse(`an instance of ${proto.constructor?.name ?? 'a class'}`);
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(object)) {
      const tagged = toTagged((object as Record<string, unknown>)[key], depth + 1, stack);
      define(out, key.startsWith(MARK) ? MARK + key : key, tagged);
    }
    return out;
  } finally {
    stack.pop();
  }
}

function fromTagged(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) throw new DecodeError('payload nested too deeply');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromTagged(value[i], depth + 1);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, MARK)) return special(record, depth);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    define(out, key.startsWith(MARK) ? key.slice(1) : key, fromTagged(record[key], depth + 1));
  }
  return out;
}

function special(record: Record<string, unknown>, depth: number): unknown {
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
      if (typeof v !== 'string' || !/^-?\d+$/.test(v)) break;
      return BigInt(v);
    case 'D':
      if (v !== null && typeof v !== 'number') break;
      return new Date(v ?? Number.NaN);
    case 'M':
      if (!Array.isArray(v)) break;
      return new Map(
        v.map((pair: unknown) => {
          if (!Array.isArray(pair) || pair.length !== 2) throw new DecodeError('bad Map entry in payload');
          return [fromTagged(pair[0], depth + 1), fromTagged(pair[1], depth + 1)] as const;
        }),
      );
    case 'S':
      if (!Array.isArray(v)) break;
      return new Set(v.map((item: unknown) => fromTagged(item, depth + 1)));
    case 'A': {
      const make = TYPED_ARRAYS[record.c as TypedArrayName];
      if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(TYPED_ARRAYS, String(record.c)) || !make) break;
      // Copy into a fresh, aligned buffer so every element width can view it.
      const bytes = new Uint8Array(Buffer.from(v, 'base64'));
      let array: ArrayBufferView;
      try {
        array = make(bytes);
      } catch (cause) {
        throw new DecodeError(`bad ${String(record.c)} in payload`, { cause });
      }
      // A length that is not a whole number of elements would be truncated, not refused.
      if (array.byteLength !== bytes.byteLength) throw new DecodeError(`bad ${String(record.c)} in payload`);
      return array;
    }
    default:
      break;
  }
  throw new DecodeError(`unknown tagged value ${JSON.stringify(record[MARK])} in payload`);
}

/** Sets an own data property, so a `__proto__` key never reaches a prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
