import { ArgClasses, encodeArgs } from './key-args.js';

export { encodeArgs, hash, MAX_ARGS_KEY_LENGTH, MAX_KEY_DEPTH } from './key-args.js';

/**
 * Key derivation, in one place.
 *
 * Storage keys have the form `<namespace>:<space>:<rest>`:
 * - `m:<Class>.<method>:<args>` for a cached method's entry under its default key;
 * - `k:<key>` for a key the user chose (`cache.get/set/wrap`, `@Cached({ key })`);
 * - `e:<JSON string>` for a user key that is not well-formed UTF-16 (a lone surrogate),
 *   and `n:<JSON string>:<args>` for such a method label (see `userKey`).
 * The namespace and the class/method names are validated to hold no `:`; arguments come
 * last and are encoded with type markers and JSON string escaping, so no argument value
 * can produce another method's, namespace's or tag's key.
 */

/**
 * The storage keys of one method's recent single-argument calls (an integer or a short
 * plain string), so that a hot key is built, flattened and hashed once instead of on
 * every hit. Bounded: when full it starts over.
 */
export class HotKeys {
  readonly #keys = new Map<number | string, string>();
  /** Class names seen in this method's arguments: two classes of one name must not share keys. */
  readonly #classes = new ArgClasses();

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
        const key = this.prefix + encodeArgs(args, where, this.#classes);
        // Only values whose encoding is a fast path: -0 and 0 are one Map key but two encodings.
        if (typeof arg === 'string' ? arg.length < 64 : Number.isInteger(arg) && !Object.is(arg, -0)) {
          if (this.#keys.size >= this.limit) this.#keys.clear();
          this.#keys.set(arg, key);
        }
        return key;
      }
    }
    return this.prefix + encodeArgs(args, where, this.#classes);
  }
}

/** A namespace: letters, digits, `_`, `-` and `.`; it may hold no `:` or `#`, which separate key parts. */
export function isNamespace(value: unknown): value is string {
  return typeof value === 'string' && /^[\w.-]{1,100}$/.test(value);
}

/** A class or method label: non-empty, no `:`, `#` or whitespace. */
export function isKeySegment(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 && !/[:#\s]/.test(value);
}

/**
 * Well-formed text is used as it is. A string holding a lone UTF-16 surrogate is not: a
 * store that sends keys as UTF-8 (Redis) turns every lone surrogate into U+FFFD, so
 * `'a\ud800'`, `'a\udfff'` and `'a\ufffd'` would meet. Such a string goes into its own
 * space, JSON-quoted (JSON escapes lone surrogates as `\udXXX`), which is injective and
 * cannot meet a well-formed string's key, and leaves every well-formed key unchanged.
 */
const isWellFormed = (text: string): boolean => (text as { isWellFormed(): boolean } & string).isWellFormed();

/** Storage key prefix for a method's default key; the encoded arguments follow. */
export const methodKeyPrefix = (namespace: string, label: string): string =>
  isWellFormed(label) ? `${namespace}:m:${label}:` : `${namespace}:n:${JSON.stringify(label)}:`;
/** Storage key for a user-chosen key. */
export const userKey = (namespace: string, key: string): string =>
  isWellFormed(key) ? `${namespace}:k:${key}` : `${namespace}:e:${JSON.stringify(key)}`;
/** Tag id in the store: the user's tag under the namespace (`<namespace>!<JSON>` when ill-formed). */
export const tagId = (namespace: string, tag: string): string =>
  isWellFormed(tag) ? `${namespace}#${tag}` : `${namespace}!${JSON.stringify(tag)}`;
/** The namespace's own tag, carried by every entry; `clear()` invalidates it. */
export const namespaceTagId = (namespace: string): string => `${namespace}#`;

/** The user's tag behind a tag id of `namespace`, or `undefined` for the namespace tag and foreign ids. */
export function tagOfId(namespace: string, id: string): string | undefined {
  if (id.length <= namespace.length + 1 || !id.startsWith(namespace)) return undefined;
  const separator = id[namespace.length];
  if (separator === '#') return id.slice(namespace.length + 1);
  return separator === '!' ? (JSON.parse(id.slice(namespace.length + 1)) as string) : undefined;
}
