import { createHash } from 'node:crypto';
import { KeyDerivationError } from './errors.js';
import { TYPED_ARRAY_CLASSES } from './typed-arrays.js';

/**
 * Encoding of call arguments into the last part of a method's default key. Every value
 * starts with a type marker and strings are JSON-quoted (which also escapes lone UTF-16
 * surrogates), so the encoding is injective and always well-formed text: a store that
 * sends keys as UTF-8 cannot merge two of them.
 */

/** Encoded argument lists longer than this are replaced by their SHA-256. */
export const MAX_ARGS_KEY_LENGTH = 200;

/** Arguments nested deeper than this are refused: encoding recurses, and the stack is finite. */
export const MAX_KEY_DEPTH = 100;

/** How many class names one {@link ArgClasses} remembers; classes past it are not checked. */
export const MAX_ARG_CLASSES = 1_000;

/** SHA-256, base64url: used for long keys and content etags. */
export function hash(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * The classes seen in the arguments of one method: class instances are keyed by their
 * class name (the only identity that holds across processes), so a second, different
 * class with a name already taken is refused rather than given the first one's entries.
 * Bounded: past {@link MAX_ARG_CLASSES} names, new names are keyed without the check.
 */
export class ArgClasses {
  readonly #owners = new Map<string, unknown>();

  /** Does `owner` (a constructor, or the prototype when it has none) own `name`? */
  claim(name: string, owner: unknown): boolean {
    const current = this.#owners.get(name);
    if (current === undefined) {
      if (this.#owners.size < MAX_ARG_CLASSES) this.#owners.set(name, owner);
      return true;
    }
    return current === owner;
  }
}

interface Context {
  readonly where: string;
  readonly classes: ArgClasses | undefined;
  readonly stack: object[];
  index: number;
}

/** Encodes call arguments stably: object key order does not matter; types are told apart. */
export function encodeArgs(args: readonly unknown[], where: string, classes?: ArgClasses): string {
  if (args.length === 1) {
    const arg = args[0];
    // Fast paths for the overwhelmingly common single id argument.
    if (typeof arg === 'number' && Number.isInteger(arg) && !Object.is(arg, -0)) return `n${arg}`;
    if (typeof arg === 'string' && arg.length < 64 && SIMPLE_STRING.test(arg)) return `s"${arg}"`;
  } else if (args.length === 0) {
    return '';
  }
  return encodeList(args, where, classes);
}

/** The general case, kept out of {@link encodeArgs} so that the fast paths stay small enough to inline. */
function encodeList(args: readonly unknown[], where: string, classes: ArgClasses | undefined): string {
  const context: Context = { where, classes, stack: [], index: 0 };
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0) out += ',';
    context.index = i;
    try {
      out += encodeValue(args[i], context, 0);
    } catch (error) {
      if (error instanceof KeyDerivationError) throw error;
      // A throwing getter or proxy trap: say which argument, keep the cause.
      throw unkeyable(context, `a value whose encoding threw (${(error as Error)?.message ?? String(error)})`, error);
    }
  }
  return out.length > MAX_ARGS_KEY_LENGTH ? `#${hash(out)}` : out;
}

const SIMPLE_STRING = /^[\w\-.@/ ]*$/;

function encodeValue(value: unknown, context: Context, depth: number): string {
  switch (typeof value) {
    case 'undefined':
      return 'u';
    case 'boolean':
      return value ? 'T' : 'F';
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'bigint':
      return `b${value}`;
    case 'string':
      return `s${JSON.stringify(value)}`;
    case 'function':
    case 'symbol':
      throw unkeyable(context, `a ${typeof value}`);
    default:
      break;
  }
  if (value === null) return 'N';
  const object = value as object;
  if (depth >= MAX_KEY_DEPTH) throw unkeyable(context, `nested deeper than ${MAX_KEY_DEPTH} levels`);
  const stack = context.stack;
  if (stack.includes(object)) throw unkeyable(context, 'an object with a cycle');
  stack.push(object);
  try {
    return encodeObject(object, context, depth + 1);
  } finally {
    stack.pop();
  }
}

/** Prototypes whose instances need no class name in the key: the encoding says the type. */
const TYPED_PROTOTYPES = new Set<object>([...TYPED_ARRAY_CLASSES, DataView, Buffer].map((type) => type.prototype));

function encodeObject(object: object, context: Context, depth: number): string {
  const proto = Object.getPrototypeOf(object) as object | null;
  let body: string;
  let standard: boolean;
  // Own enumerable string keys that the body already holds (array and string indices).
  let indices = 0;
  if (Array.isArray(object)) {
    standard = proto === Array.prototype;
    body = encodeArray(object, context, depth);
    indices = -1;
  } else if (object instanceof Date) {
    standard = proto === Date.prototype;
    body = `d${object.getTime()}`;
  } else if (ArrayBuffer.isView(object)) {
    standard = TYPED_PROTOTYPES.has(proto as object);
    const bytes = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
    body = `x${standard ? object.constructor.name : baseView(object)}:${Buffer.from(bytes).toString('base64')}`;
    // Its own extra properties are not looked for: listing them lists every index too.
    indices = -1;
  } else if (object instanceof Map) {
    standard = proto === Map.prototype;
    const entries = [...object].map(([k, v]) => `${encodeValue(k, context, depth)}=>${encodeValue(v, context, depth)}`);
    body = `M{${entries.sort().join(',')}}`;
  } else if (object instanceof Set) {
    standard = proto === Set.prototype;
    const items = [...object].map((item) => encodeValue(item, context, depth));
    body = `S{${items.sort().join(',')}}`;
  } else if (isBoxed(object)) {
    // new Number(1), new String('a'), Object(1n): keyed by the value they box.
    standard = BOXED_PROTOTYPES.has(proto as object);
    body = `o${encodeValue(object.valueOf(), context, depth)}`;
    if (object instanceof String) indices = object.length;
  } else {
    standard = proto === Object.prototype || proto === null;
    const fields = encodeFields(object, Object.keys(object).sort(), context, depth);
    if (!standard && fields === '') {
      // URL, RegExp, Error and the like keep their state out of enumerable properties:
      // every instance would encode alike, and one argument would get another's entry.
      throw unkeyable(
        context,
        `an instance of ${className(proto)} with no enumerable properties (its state is hidden)`,
      );
    }
    return `${standard ? '' : classTag(proto, context)}{${fields}}`;
  }
  const tag = standard ? '' : classTag(proto, context);
  if (indices === -1) return tag + body; // arrays hold their own extra properties in the body
  // A Map, Date, typed array… with properties of its own: they are part of the key too.
  const keys = Object.keys(object);
  const extra = indices === 0 ? keys : keys.filter((key) => !isIndex(key, indices));
  const fields = encodeFields(object, extra.sort(), context, depth);
  return fields === '' ? tag + body : `${tag + body}+{${fields}}`;
}

/**
 * A dense array with no other own properties keeps the plain form `[a,b]`; an array with
 * holes or extra properties is `A<length>{"<index or name>":value,...}`, holes left out.
 * Work is bounded by the properties present, not by `length` (`new Array(2 ** 32 - 1)`).
 */
function encodeArray(array: readonly unknown[], context: Context, depth: number): string {
  const keys = Object.keys(array);
  const length = array.length;
  // Index keys come first, ascending: the last index present tells whether all are.
  const dense = keys.length === length && (length === 0 || keys[length - 1] === String(length - 1));
  if (dense && !hasSymbolFields(array)) {
    let out = '[';
    for (let i = 0; i < length; i++) out += (i > 0 ? ',' : '') + encodeValue(array[i], context, depth);
    return `${out}]`;
  }
  return `A${length}{${encodeFields(array, keys.sort(), context, depth)}}`;
}

/** `"key":value` for each string key (in the order given), then registered-symbol keys. */
function encodeFields(object: object, keys: readonly string[], context: Context, depth: number): string {
  const record = object as Record<PropertyKey, unknown>;
  let out = '';
  for (const key of keys)
    out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${encodeValue(record[key], context, depth)}`;
  if (!hasSymbolFields(object)) return out;
  const symbols: string[] = [];
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (!Object.prototype.propertyIsEnumerable.call(object, symbol)) continue;
    const name = Symbol.keyFor(symbol);
    if (name === undefined) {
      // A unique symbol is a different key in every process: nothing stable to encode.
      throw unkeyable(
        context,
        `an object with a property keyed by ${String(symbol)}, which is not a registered (Symbol.for) symbol`,
      );
    }
    symbols.push(`y${JSON.stringify(name)}:${encodeValue(record[symbol], context, depth)}`);
  }
  return symbols.length === 0 ? out : out + (out === '' ? '' : ',') + symbols.sort().join(',');
}

function hasSymbolFields(object: object): boolean {
  const symbols = Object.getOwnPropertySymbols(object);
  for (const symbol of symbols) if (Object.prototype.propertyIsEnumerable.call(object, symbol)) return true;
  return false;
}

const BOXED_PROTOTYPES = new Set<object>([Number.prototype, String.prototype, Boolean.prototype, BigInt.prototype]);

function isBoxed(object: object): object is Number | String | Boolean | BigInt {
  return object instanceof Number || object instanceof String || object instanceof Boolean || object instanceof BigInt;
}

function isIndex(key: string, length: number): boolean {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < length && String(n) === key;
}

/** The standard view type a typed-array subclass extends, so the bytes keep their meaning. */
function baseView(view: ArrayBufferView): string {
  for (let proto = Object.getPrototypeOf(view) as object | null; proto !== null; proto = Object.getPrototypeOf(proto)) {
    if (TYPED_PROTOTYPES.has(proto)) return (proto as { constructor: Function }).constructor.name;
  }
  return 'View';
}

function className(proto: object | null): string {
  const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : '?';
}

/** `@"Name"` for an instance of a class, after checking no other class of that name came first. */
function classTag(proto: object | null, context: Context): string {
  const name = className(proto);
  const ctor = (proto as { constructor?: unknown }).constructor;
  const owner = typeof ctor === 'function' && ctor.prototype === proto ? ctor : proto;
  if (context.classes !== undefined && !context.classes.claim(name, owner)) {
    throw unkeyable(
      context,
      `an instance of a class named ${name}, a different class from the ${name} seen before in this method's arguments ` +
        '(classes are keyed by name, so their entries would mix)',
    );
  }
  return `@${JSON.stringify(name)}`;
}

function unkeyable(context: Context, what: string, cause?: unknown): KeyDerivationError {
  return new KeyDerivationError(
    `${context.where}: argument ${context.index} is ${what}, which cannot be part of a cache key. ` +
      `Pass a \`key\` option that builds the key from the other arguments, e.g. ` +
      `@Cached({ key: (id) => \`user:\${id}\` }), or \`condition\` to skip caching for such calls.`,
    cause === undefined ? undefined : { cause },
  );
}
