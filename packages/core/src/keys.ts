import { createHash } from 'node:crypto';
import { KeyDerivationError } from './errors.js';

/**
 * Key derivation, in one place.
 *
 * Storage keys have the form `<namespace>:<space>:<rest>`:
 * - `m:<Class>.<method>:<args>` for a cached method's entry under its default key;
 * - `k:<key>` for a key the user chose (`cache.get/set/wrap`, `@Cached({ key })`).
 * The namespace and the class/method names are validated to hold no `:`; arguments come
 * last and are encoded with type markers and JSON string escaping, so no argument value
 * can produce another method's, namespace's or tag's key.
 */

/** Encoded argument lists longer than this are replaced by their SHA-256. */
export const MAX_ARGS_KEY_LENGTH = 200;

/** Encodes call arguments stably: object key order does not matter; types are told apart. */
export function encodeArgs(args: readonly unknown[], where: string): string {
  if (args.length === 1) {
    const arg = args[0];
    // Fast paths for the overwhelmingly common single id argument.
    if (typeof arg === 'number' && Number.isInteger(arg) && !Object.is(arg, -0)) return `n${arg}`;
    if (typeof arg === 'string' && arg.length < 64 && SIMPLE_STRING.test(arg)) return `s"${arg}"`;
  } else if (args.length === 0) {
    return '';
  }
  let out = '';
  for (let i = 0; i < args.length; i++) {
    if (i > 0) out += ',';
    out += encodeValue(args[i], where, i, []);
  }
  return out.length > MAX_ARGS_KEY_LENGTH ? `#${hash(out)}` : out;
}

const SIMPLE_STRING = /^[\w\-.@/ ]*$/;

/**
 * The storage keys of one method's recent single-argument calls (an integer or a short
 * plain string), so that a hot key is built, flattened and hashed once instead of on
 * every hit. Bounded: when full it starts over.
 */
export class HotKeys {
  readonly #keys = new Map<number | string, string>();

  constructor(
    readonly prefix: string,
    readonly limit = 4_096,
  ) {}

  /** The key for a call with `args`, from the memo when the call has one simple argument. */
  keyOf(args: readonly unknown[], where: string): string {
    if (args.length === 1) {
      const arg = args[0];
      // -0 is never memoized, but a Map finds 0's key for it (SameValueZero): skip the lookup.
      if (typeof arg === 'string' || (typeof arg === 'number' && !Object.is(arg, -0))) {
        const known = this.#keys.get(arg);
        if (known !== undefined) return known;
        const key = this.prefix + encodeArgs(args, where);
        // Only values whose encoding is a fast path: -0 and 0 are one Map key but two encodings.
        if (typeof arg === 'string' ? arg.length < 64 : Number.isInteger(arg) && !Object.is(arg, -0)) {
          if (this.#keys.size >= this.limit) this.#keys.clear();
          this.#keys.set(arg, key);
        }
        return key;
      }
    }
    return this.prefix + encodeArgs(args, where);
  }
}

/** SHA-256, base64url: used for long keys and content etags. */
export function hash(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('base64url');
}

function encodeValue(value: unknown, where: string, index: number, stack: object[]): string {
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
      throw unkeyable(where, index, `a ${typeof value}`);
    default:
      break;
  }
  if (value === null) return 'N';
  const object = value as object;
  if (stack.includes(object)) throw unkeyable(where, index, 'an object with a cycle');
  stack.push(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item) => encodeValue(item, where, index, stack)).join(',')}]`;
    }
    if (object instanceof Date) return `d${object.getTime()}`;
    if (ArrayBuffer.isView(object)) {
      const bytes = new Uint8Array(object.buffer, object.byteOffset, object.byteLength);
      return `x${object.constructor.name}:${Buffer.from(bytes).toString('base64')}`;
    }
    if (object instanceof Map) {
      const entries = [...object].map(
        ([k, v]) => `${encodeValue(k, where, index, stack)}=>${encodeValue(v, where, index, stack)}`,
      );
      return `M{${entries.sort().join(',')}}`;
    }
    if (object instanceof Set) {
      const items = [...object].map((item) => encodeValue(item, where, index, stack));
      return `S{${items.sort().join(',')}}`;
    }
    const proto = Object.getPrototypeOf(object) as object | null;
    const tag = proto === Object.prototype || proto === null ? '' : (proto.constructor?.name ?? '?');
    const keys = Object.keys(object).sort();
    if (tag !== '' && keys.length === 0) {
      // URL, RegExp, Error and the like keep their state out of enumerable properties:
      // every instance would encode alike, and one argument would get another's entry.
      throw unkeyable(where, index, `an instance of ${tag} with no enumerable properties (its state is hidden)`);
    }
    const fields = keys.map(
      (k) => `${JSON.stringify(k)}:${encodeValue((object as Record<string, unknown>)[k], where, index, stack)}`,
    );
    return `${tag ? `@${JSON.stringify(tag)}` : ''}{${fields.join(',')}}`;
  } finally {
    stack.pop();
  }
}

function unkeyable(where: string, index: number, what: string): KeyDerivationError {
  return new KeyDerivationError(
    `${where}: argument ${index} is ${what}, which cannot be part of a cache key. ` +
      `Pass a \`key\` option that builds the key from the other arguments, e.g. ` +
      `@Cached({ key: (id) => \`user:\${id}\` }), or \`condition\` to skip caching for such calls.`,
  );
}

/** A namespace: letters, digits, `_`, `-` and `.`; it may hold no `:` or `#`, which separate key parts. */
export function isNamespace(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.-]{1,100}$/.test(value);
}

/** A class or method label: non-empty, no `:`, `#` or whitespace. */
export function isKeySegment(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 && !/[:#\s]/.test(value);
}

/** Storage key for a method's default key. */
export const methodKeyPrefix = (namespace: string, label: string): string => `${namespace}:m:${label}:`;
/** Storage key for a user-chosen key. */
export const userKey = (namespace: string, key: string): string => `${namespace}:k:${key}`;
/** Tag id in the store: the user's tag under the namespace. */
export const tagId = (namespace: string, tag: string): string => `${namespace}#${tag}`;
/** The namespace's own tag, carried by every entry; `clear()` invalidates it. */
export const namespaceTagId = (namespace: string): string => `${namespace}#`;
