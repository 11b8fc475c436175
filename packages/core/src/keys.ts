import { ArgClasses, encodeArgs } from './key-args.js';

export { encodeArgs, hash, MAX_ARGS_KEY_LENGTH, MAX_KEY_DEPTH } from './key-args.js';

/**
 * Key derivation, in one place.
 *
 * Storage keys have the form `<namespace>:<space>:<rest>`:
 * - `m:<Class>.<method>:<args>` for a cached method's entry under its default key;
 * - `k:<key>` for a key the user chose (`cache.get/set/wrap`, `@Cached({ key })`);
 * - `e:<JSON string>` for a user key that is not well-formed UTF-16 (a lone surrogate),
 *   and `n:<JSON string>:<args>` for such a method label (see `userKeys`).
 * The namespace and the class/method names are validated to hold no `:`; arguments come
 * last and are encoded with type markers and JSON string escaping, so no argument value
 * can produce another method's, namespace's or tag's key.
 */

/**
 * Room a cache's key memos may take beyond their own `limit` each, shared by all of them:
 * as many keys as the cache's store holds entries (its `capacity`), so that a working
 * set the store holds whole is memoized whole, and the memos together never hold more
 * than that many keys past their first `limit` each. Zero for a store that declares no
 * capacity: its memos hold `limit` keys each.
 */
export class MemoBudget {
  #left: number;

  constructor(readonly total: number) {
    this.#left = total;
  }

  /** Keys not taken by any memo now. */
  get left(): number {
    return this.#left;
  }

  /** Takes up to `wanted` keys of room; returns how many it got. */
  take(wanted: number): number {
    const got = Math.min(wanted, this.#left);
    this.#left -= got;
    return got;
  }

  /** Gives back room a memo no longer uses. */
  give(room: number): void {
    this.#left += room;
  }
}

/**
 * A bounded memo of built keys that stops when it does not pay. It holds `limit` keys,
 * and when full takes more room from its cache's {@link MemoBudget} (doubling while the
 * budget lasts). A lookup pays only while the keys asked for fit in it: over a working
 * set larger than it can hold (say 100k ids read in turn, past the budget) nearly every
 * lookup misses, and the miss, the insert and the strings it keeps alive cost more than
 * building the key does. So when a fill it cannot grow ends with fewer hits than keys,
 * the memo empties, gives its extra room back, and rests for {@link REST_FACTOR} ×
 * `limit` lookups (each answers "not known" at once), then tries again.
 */
export class KeyMemo<K = string, V = string> {
  readonly #built = new Map<K, V>();
  readonly #budget: MemoBudget | undefined;
  /** Keys it may hold now: `limit`, plus the room it took from the budget. */
  #room: number;
  #hits = 0;
  #resting = 0;

  constructor(
    readonly limit = 4_096,
    budget?: MemoBudget,
  ) {
    this.#budget = budget;
    this.#room = limit;
  }

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
    if (this.#built.size >= this.#room) {
      const more = this.#budget === undefined ? 0 : this.#budget.take(this.#room);
      if (more > 0) {
        this.#room += more;
      } else {
        if (this.#hits < this.#built.size) this.#resting = this.limit * REST_FACTOR;
        this.#built.clear();
        this.#hits = 0;
        this.#budget?.give(this.#room - this.limit);
        this.#room = this.limit;
        if (this.#resting > 0) return;
      }
    }
    this.#built.set(key, built);
  }

  /** Keys held now. */
  get size(): number {
    return this.#built.size;
  }

  /** Keys it may hold before it must grow or start over: `limit` plus the room taken from the budget. */
  get room(): number {
    return this.#room;
  }

  /** Whether lookups are skipped now because the last fill did not pay. */
  get resting(): boolean {
    return this.#resting > 0;
  }
}

/** How many fills' worth of lookups a memo that did not pay skips before it tries again. */
export const REST_FACTOR = 8;

/** A remembered call of a method with a tags function: its storage key, and the tag ids its tags function gave last (its guess). */
interface Guessed {
  readonly key: string;
  tagIds: readonly string[] | undefined;
}

/**
 * The storage keys of one method's recent single-argument calls (an integer or a short
 * plain string), so that a hot key is built, flattened and hashed once instead of on
 * every hit. The memo grows into the cache's {@link MemoBudget}. For a method that
 * `guesses` (see the decorator), each remembered call also keeps the tag-id list its tags
 * function gave last when it gave one tag, found by {@link guess} after {@link keyOf}
 * without a second lookup.
 */
export class HotKeys {
  /** A string per call, or a {@link Guessed} when the method guesses. */
  readonly #keys: KeyMemo<number | string, string | Guessed>;
  readonly #guesses: boolean;
  /** Class names seen in this method's arguments: two classes of one name must not share keys. */
  readonly #classes = new ArgClasses();
  /** The memo entry of the last {@link keyOf} call when the method guesses and the memo holds the call. */
  #last: Guessed | undefined;

  constructor(
    readonly prefix: string,
    options: { readonly limit?: number; readonly budget?: MemoBudget; readonly guesses?: boolean } = {},
  ) {
    this.#keys = new KeyMemo(options.limit ?? 4_096, options.budget);
    this.#guesses = options.guesses ?? false;
  }

  /** The key for a call with `args`, from the memo when the call has one simple argument. */
  keyOf(args: readonly unknown[], where: string): string {
    this.#last = undefined;
    if (args.length === 1) {
      const arg = args[0];
      // -0 is never memoized, but a Map finds 0's key for it (SameValueZero): skip the lookup.
      if (typeof arg === 'string' || (typeof arg === 'number' && !Object.is(arg, -0))) {
        const known = this.#keys.get(arg);
        if (known !== undefined) {
          if (typeof known === 'string') return known;
          this.#last = known;
          return known.key;
        }
        // Built flat (see flat()): the store keeps this very string for the entry.
        const key = flat(this.prefix, encodeArgs(args, where, this.#classes));
        // Only values whose encoding is a fast path: -0 and 0 are one Map key but two
        // encodings. While the memo rests it would drop the entry: make none.
        if (!this.#keys.resting && (typeof arg === 'string' ? arg.length < 64 : Number.isInteger(arg))) {
          if (this.#guesses) {
            this.#last = { key, tagIds: undefined };
            this.#keys.set(arg, this.#last);
          } else {
            this.#keys.set(arg, key);
          }
        }
        return key;
      }
    }
    return flat(this.prefix, encodeArgs(args, where, this.#classes));
  }

  /** The tag-id list remembered for the last {@link keyOf} call's argument, if any. */
  guess(): readonly string[] | undefined {
    return this.#last?.tagIds;
  }

  /** Remembers `tagIds` (or, given undefined, none) as the guess for the last call's argument, if the memo holds it. */
  setGuess(tagIds: readonly string[] | undefined): void {
    if (this.#last !== undefined) this.#last.tagIds = tagIds;
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
/** Storage keys for user-chosen keys of one namespace, the prefix built once (a key function's every call builds a key). */
export function userKeys(namespace: string): (key: string) => string {
  const prefix = `${namespace}:k:`;
  return (key) => (isWellFormed(key) ? flat(prefix, key) : `${namespace}:e:${JSON.stringify(key)}`);
}
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
