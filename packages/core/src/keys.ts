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
 * A bounded memo of built keys that stops when it does not pay. A lookup pays only while
 * the keys asked for fit in it: over a working set larger than `limit` (say 100k ids read
 * in turn) nearly every lookup misses, and the miss, the insert and the strings it keeps
 * alive cost more than building the key does. So when a fill of `limit` keys ends with
 * fewer hits than keys, the memo empties and rests for {@link REST_FACTOR} × `limit`
 * lookups (each answers "not known" at once), then tries again.
 */
export class KeyMemo<K = string, V = string> {
  readonly #built = new Map<K, V>();
  #hits = 0;
  #resting = 0;

  constructor(readonly limit = 4_096) {}

  /** The key built for `key`, if the memo holds it. */
  get(key: K): V | undefined {
    if (this.#resting > 0) {
      this.#resting--;
      return undefined;
    }
    const known = this.#built.get(key);
    if (known !== undefined) this.#hits++;
    return known;
  }

  /** Remembers `built` for `key`, unless the memo rests. */
  set(key: K, built: V): void {
    if (this.#resting > 0) return;
    if (this.#built.size >= this.limit) {
      if (this.#hits < this.#built.size) this.#resting = this.limit * REST_FACTOR;
      this.#built.clear();
      this.#hits = 0;
      if (this.#resting > 0) return;
    }
    this.#built.set(key, built);
  }

  /** Keys held now (at most `limit`). */
  get size(): number {
    return this.#built.size;
  }

  /** Whether lookups are skipped now because the last fill did not pay. */
  get resting(): boolean {
    return this.#resting > 0;
  }
}

/** How many fills' worth of lookups a memo that did not pay skips before it tries again. */
export const REST_FACTOR = 8;

/**
 * A memoized call's storage key, and the tag-id list its tags function gave last for that
 * argument when it gave one tag (set by the decorator, checked against the tag each time).
 */
export interface HotKey {
  readonly key: string;
  tag: string | undefined;
  tagIds: readonly string[] | undefined;
}

/**
 * The storage keys of one method's recent single-argument calls (an integer or a short
 * plain string), so that a hot key is built, flattened and hashed once instead of on
 * every hit. The entry of the last call is kept in {@link last}, so the decorator finds
 * that call's tag ids without a second lookup.
 */
export class HotKeys {
  readonly #keys: KeyMemo<number | string, HotKey>;
  /** Class names seen in this method's arguments: two classes of one name must not share keys. */
  readonly #classes = new ArgClasses();
  /** The memo entry of the last {@link keyOf} call, or undefined when that call had none. */
  last: HotKey | undefined;

  constructor(
    readonly prefix: string,
    limit = 4_096,
  ) {
    this.#keys = new KeyMemo(limit);
  }

  /** The key for a call with `args`, from the memo when the call has one simple argument. */
  keyOf(args: readonly unknown[], where: string): string {
    if (args.length === 1) {
      const arg = args[0];
      // -0 is never memoized, but a Map finds 0's key for it (SameValueZero): skip the lookup.
      if (typeof arg === 'string' || (typeof arg === 'number' && !Object.is(arg, -0))) {
        const known = this.#keys.get(arg);
        if (known !== undefined) {
          this.last = known;
          return known.key;
        }
        // Built flat (see flat()): the store keeps this very string for the entry.
        const key = flat(this.prefix, encodeArgs(args, where, this.#classes));
        // Only values whose encoding is a fast path: -0 and 0 are one Map key but two encodings.
        // While the memo rests it would drop the entry: make none.
        if (!this.#keys.resting && (typeof arg === 'string' ? arg.length < 64 : Number.isInteger(arg))) {
          const entry: HotKey = { key, tag: undefined, tagIds: undefined };
          this.#keys.set(arg, entry);
          this.last = entry;
        } else {
          this.last = undefined;
        }
        return key;
      }
    }
    this.last = undefined;
    return flat(this.prefix, encodeArgs(args, where, this.#classes));
  }
}

/**
 * Recent results of a key-building function of one string (a user key to its storage
 * key, a tag to its tag id), so that a hot key is built, checked and hashed once instead
 * of on every hit: a hit costs one lookup of the user's string, and hands the store a
 * string it has hashed before. Strings longer than {@link MAX_MEMO_KEY_LENGTH} are not kept.
 */
export class BuiltKeys {
  readonly #memo: KeyMemo;

  constructor(
    readonly build: (text: string) => string,
    limit = 4_096,
  ) {
    this.#memo = new KeyMemo(limit);
  }

  /** `build(text)`, from the memo when it has it. */
  of(text: string): string {
    const known = this.#memo.get(text);
    if (known !== undefined) return known;
    const built = this.build(text);
    if (text.length <= MAX_MEMO_KEY_LENGTH) this.#memo.set(text, built);
    return built;
  }

  /** Strings held now. */
  get size(): number {
    return this.#memo.size;
  }
}

/** Longest user key or tag a memo keeps: longer ones are rare on hot paths and would cost memory. */
export const MAX_MEMO_KEY_LENGTH = 128;

/**
 * `head + tail` as a flat string. `+` makes a rope (a cons string) for results of 13
 * characters or more, which a Map flattens into a second string on every lookup, and
 * which, kept as a store's key, costs both. A join builds the flat string directly.
 */
const flat = (head: string, tail: string): string => [head, tail].join('');

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
  isWellFormed(key) ? flat(`${namespace}:k:`, key) : `${namespace}:e:${JSON.stringify(key)}`;
/** Tag id in the store: the user's tag under the namespace (`<namespace>!<JSON>` when ill-formed). */
export const tagId = (namespace: string, tag: string): string =>
  isWellFormed(tag) ? flat(`${namespace}#`, tag) : `${namespace}!${JSON.stringify(tag)}`;
/** The namespace's own tag, carried by every entry; `clear()` invalidates it. */
export const namespaceTagId = (namespace: string): string => `${namespace}#`;

/** The user's tag behind a tag id of `namespace`, or `undefined` for the namespace tag and foreign ids. */
export function tagOfId(namespace: string, id: string): string | undefined {
  if (id.length <= namespace.length + 1 || !id.startsWith(namespace)) return undefined;
  const separator = id[namespace.length];
  if (separator === '#') return id.slice(namespace.length + 1);
  return separator === '!' ? (JSON.parse(id.slice(namespace.length + 1)) as string) : undefined;
}
