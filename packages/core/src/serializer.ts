import { CacheOptionsError, DecodeError, SerializationError } from './errors.js';
import { type ClassRegistry, fromTagged, isPlainJson, NO_CLASSES, toTagged } from './json-codec.js';
import { Refusal } from './json-special.js';
import { registerClasses, type SerializableClass } from './serializer-classes.js';

export type { SerializableClass } from './serializer-classes.js';

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

/**
 * Options of {@link createJsonSerializer}. `C` lists the instance types of `classes`, so each
 * entry's hooks are typed by its own class.
 */
export interface JsonSerializerOptions<C extends readonly object[] = readonly object[]> {
  /** Classes whose instances may be cached; each comes back as an instance of the same class. */
  readonly classes?: { readonly [K in keyof C]: SerializableClass<C[K]> };
}

const PLAIN = 0x6a; // 'j': the value is plain JSON
const TAGGED = 0x74; // 't': the value holds tagged special values

/** @internal How entry.ts embeds a JSON serializer's text in its envelope (one `JSON.parse` per read). */
export interface JsonCodec {
  toText(value: unknown): { readonly text: string; readonly tagged: boolean };
  fromParsed(parsed: unknown, tagged: boolean): unknown;
  /** Throws what `toText` would throw, without building the text. */
  check(value: unknown): void;
}

const codecs = new WeakMap<Serializer, JsonCodec>();

/** @internal The JSON codec of a serializer made by {@link createJsonSerializer}, or undefined. */
export function jsonCodecOf(serializer: Serializer): JsonCodec | undefined {
  return codecs.get(serializer);
}

/**
 * A JSON serializer: JSON, plus tagged forms for what JSON loses — Date, BigInt (up to 1000
 * digits), Map, Set, undefined, NaN, ±Infinity, -0, typed arrays, sparse arrays (holes stay
 * holes), arrays with extra properties, null-prototype objects, and instances of the
 * `classes` given here. Tags are objects with a `"\u0000"` key; a user key that starts
 * with `"\u0000"` is escaped, so nothing is guessed. Values with no special parts cost one
 * `JSON.stringify`/`JSON.parse`.
 *
 * Anything else is refused with a `SerializationError` naming where it is (`error.path`)
 * and, for a class instance, its class (`error.className`): instances of other classes
 * (including subclasses of Array, Map, Set, Date and typed arrays), functions, symbols,
 * symbol-keyed properties, Map/Set/Date objects with own properties, cycles, and values
 * nested deeper than 200 levels.
 *
 * A registered class is written under its registered `name` (not the constructor's, which
 * bundlers rename). By default its own enumerable properties are written, and read back
 * onto `Object.create(type.prototype)` as data properties: no constructor, no setter, no
 * other code runs. `toJSON`/`revive` replace either half. An unknown class name in a
 * payload is a `DecodeError` (a miss).
 *
 * @example
 * const serializer = createJsonSerializer({
 *   classes: [
 *     { name: 'User', type: User },
 *     { name: 'Money', type: Money, toJSON: (m) => m.cents, revive: (cents) => new Money(cents as number) },
 *   ],
 * });
 * const cache = createCache({ store: redisStore({ client }), serializer });
 */
export function createJsonSerializer<const C extends readonly object[]>(
  options: JsonSerializerOptions<C> = {},
): Serializer {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(`createJsonSerializer: options must be an object; got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'classes')
      throw new CacheOptionsError(`createJsonSerializer: unknown option '${key}'. Known options: classes`);
  }
  const classes = options.classes === undefined ? NO_CLASSES : registerClasses(options.classes);
  return makeJsonSerializer(classes);
}

function makeJsonSerializer(classes: ClassRegistry): Serializer {
  const codec: JsonCodec = {
    toText: (value) => toJsonText(value, classes),
    fromParsed: (parsed, tagged) => (tagged ? decodeTagged(parsed, classes) : parsed),
    check: (value) => {
      if (!isPlainJson(value, 0)) encodeTagged(value, classes);
    },
  };
  const serializer: Serializer = {
    name: 'json',
    encode(value) {
      const { text, tagged } = toJsonText(value, classes);
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
      if (kind === TAGGED) return decodeTagged(parsed, classes);
      throw new DecodeError(`unknown value format ${String(kind)}`);
    },
  };
  codecs.set(serializer, codec);
  return serializer;
}

/**
 * The default serializer: {@link createJsonSerializer} with no classes. Class instances
 * are refused; register them on a serializer of your own to cache them.
 */
export const jsonSerializer: Serializer = makeJsonSerializer(NO_CLASSES);

/** @internal The codec of {@link jsonSerializer}. */
export const defaultJsonCodec: JsonCodec = codecs.get(jsonSerializer) as JsonCodec;

/** The JSON text of a value, and whether it holds tagged special values. */
function toJsonText(value: unknown, classes: ClassRegistry): { readonly text: string; readonly tagged: boolean } {
  if (isPlainJson(value, 0)) return { text: JSON.stringify(value), tagged: false };
  return { text: JSON.stringify(encodeTagged(value, classes)), tagged: true };
}

function encodeTagged(value: unknown, classes: ClassRegistry): unknown {
  try {
    return toTagged(value, 0, [], classes);
  } catch (error) {
    if (error instanceof Refusal) throw refusalError(error);
    throw error;
  }
}

function decodeTagged(parsed: unknown, classes: ClassRegistry): unknown {
  try {
    return fromTagged(parsed, 0, classes);
  } catch (error) {
    // A revive hook's own error is already wrapped; a RangeError from a runaway structure is not.
    if (error instanceof DecodeError) throw error;
    throw new DecodeError('payload could not be decoded', { cause: error });
  }
}

function refusalError(refusal: Refusal): SerializationError {
  const path = refusal.path();
  const where = path === '$' ? '' : ` at ${path}`;
  const hint =
    refusal.className === undefined
      ? 'Cache plain data (objects, arrays, Date, Map, Set, BigInt, typed arrays)'
      : `Register the class on the serializer (createJsonSerializer({ classes: [{ name: '${refusal.className}', type: ${refusal.className} }] })), or cache plain data`;
  return new SerializationError(
    `cannot serialize ${refusal.what}${where}: it would not come back as the same value. ${hint}, or pass a custom \`serializer\`.`,
    {
      path,
      ...(refusal.className === undefined ? {} : { className: refusal.className }),
      ...(refusal.cause === undefined ? {} : { cause: refusal.cause }),
    },
  );
}

/**
 * @internal Throws the `SerializationError` that writing `value` with `serializer` would
 * throw, without writing anything. For a JSON serializer this is the encoder's walk
 * without the final `JSON.stringify`: a plain-JSON value costs one walk and allocates
 * nothing; a value with special parts builds its tagged form, then drops it. For any
 * other serializer it is `serializer.encode(value)`, the bytes dropped; an error that is
 * not a `SerializationError` is wrapped in one.
 */
export function assertSerializable(value: unknown, serializer: Serializer): void {
  const codec = codecs.get(serializer);
  if (codec !== undefined) {
    codec.check(value);
    return;
  }
  try {
    serializer.encode(value);
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    throw new SerializationError(`serializer '${serializer.name}' could not encode the value`, { cause });
  }
}
