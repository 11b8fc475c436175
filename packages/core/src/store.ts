/**
 * The Store contract. A store moves payloads, TTLs and version numbers; it never judges
 * freshness and never serializes (core does both, once). Every store, including
 * third-party ones, runs the conformance suite in `@cachewise/core/testing`.
 *
 * Methods may answer synchronously (the memory store does, so a hit costs no extra
 * microtask) or with a native Promise (as `async` methods do).
 */
import type { CacheRecord } from './record.js';

export type MaybePromise<T> = T | Promise<T>;

/**
 * A tag's state. `version` changes on every invalidation of the tag; `hardVersion`
 * changes only on invalidations in `'delete'` mode. Versions only ever grow, also across
 * restarts and expiry of the store's bookkeeping (Redis uses server time), so a version
 * once seen is never seen again for a later state.
 */
export interface TagState {
  readonly version: number;
  readonly hardVersion: number;
}

/** The state of a tag that was never invalidated (or whose bookkeeping expired). */
export const UNTOUCHED_TAG: TagState = Object.freeze({ version: 0, hardVersion: 0 });

/** `delete`: entries under the tag are gone. `expire`: they stay readable as stale (for grace). */
export type InvalidationMode = 'delete' | 'expire';

/** What one read returns: the payload if any, and what core needs to judge it or to write after a miss. */
export interface StoreRead<P> {
  readonly record: P | undefined;
  /** Current state of each tag asked for, in the same order. */
  readonly tags: readonly TagState[];
  /**
   * The key's generation. It changes when the key is deleted; pass it back to `write` so
   * that a load that started before a delete is not written after it.
   */
  readonly generation: number;
}

export interface WriteOptions {
  /** How long the store keeps the payload (ms, > 0). */
  readonly ttlMs: number;
  /**
   * A number: write only if the key's generation still equals it (a load's write, with the
   * generation read before the load). `undefined`: write unconditionally and move the
   * key's generation on, atomically, like a delete followed by this write (an explicit
   * `set`): a load that began before it can never overwrite it.
   */
  readonly generation: number | undefined;
}

/**
 * Where a store reports what it finds on its own, outside any call: a key it repaired, a
 * server setting that can cost correctness or hit rate. Core turns each report into an
 * `error` event of every cache attached to the store.
 */
export interface StoreReporter {
  error(error: Error, key?: string): void;
  /**
   * A warning about the store's setup (e.g. `CACHEWISE_EVICTION_POLICY`): `true` when the
   * cache's `logger` took it, and the store then gives no process warning for it.
   */
  warn?(message: string, code: string): boolean;
  /**
   * A tiered store applied a change another server announced on its bus, `lagMs` after
   * that server published it (by the two servers' clocks). Core emits it as a `bus` event.
   */
  busLag?(lagMs: number): void;
}

interface StoreBase<P> {
  /** For errors and events, e.g. `'memory'`, `'redis'`. */
  readonly name: string;
  /** The longest TTL the store honours for an entry; core refuses longer ones up front. */
  readonly maxTtlMs?: number;
  /**
   * Optional: the most entries the store holds (the memory store's `maxEntries`). A cache
   * on it lets the decorators' key memos hold that many more keys between them, so a
   * working set the store holds whole is hit without building its keys. Without it each
   * method's memo holds 4,096 keys.
   */
  readonly capacity?: number;
  /** Reads a key and the state of `tags`, in one round trip where the store can. */
  read(key: string, tags: readonly string[]): MaybePromise<StoreRead<P>>;
  /** Reads the state of tags only. */
  readTags(tags: readonly string[]): MaybePromise<readonly TagState[]>;
  /**
   * Optional; needed for `resultTags`. A mark of where tag versions stand now: every tag
   * invalidated after this call answers, and every tag whose bookkeeping is created after
   * it, gets a version at or above the mark. Core reads it before a load whose result
   * names tags not known in advance, and does not write the value as fresh if one of those
   * tags has reached the mark by the end of the load (P2).
   */
  versionMark?(): MaybePromise<number>;
  /**
   * Optional: waits, up to the store's own bound, until it can take an explicit write,
   * and rejects if it cannot (a store still connecting). `cache.set()` calls it before
   * reading tag states, so that read does not fail for a client about to connect. Reads
   * never call it: they fail open at once.
   */
  ready?(): MaybePromise<void>;
  /** Writes a payload; resolves `false` when the generation check refused it. */
  write(key: string, payload: P, options: WriteOptions): MaybePromise<boolean>;
  /** Deletes keys and moves their generations on. */
  delete(keys: readonly string[]): MaybePromise<void>;
  /** Moves the tags' versions on, in O(1) per tag whatever the number of tagged entries. */
  invalidateTags(tags: readonly string[], mode: InvalidationMode): MaybePromise<void>;
  /**
   * Optional: called by each cache created on the store; returns the function that
   * detaches it (on the cache's `close()`).
   */
  attach?(reporter: StoreReporter): () => void;
  /**
   * Releases what the store created (never a client the user passed in). Core calls it
   * when the last cache using the store is closed, never while another still uses it.
   */
  close(): MaybePromise<void>;
}

/** A store that keeps core's `CacheRecord` objects as they are (the in-process fast path). */
export interface LiveStore extends StoreBase<CacheRecord> {
  readonly payload: 'live';
  /**
   * When true, caches on this store refuse values that a byte store could not round-trip
   * (they run the cache's serializer on every write and discard the bytes), so the problem
   * shows in tests and development, before production runs on Redis.
   */
  readonly checkValues?: boolean;
}

/** A store that keeps bytes; core serializes once before a write and decodes after a read. */
export interface ByteStore extends StoreBase<Uint8Array> {
  readonly payload: 'bytes';
}

export type Store = LiveStore | ByteStore;

/**
 * True when a store answered asynchronously. Stores answer with a value or a native
 * Promise (what `async` functions and ioredis return); the check is one `instanceof`, so
 * a synchronous answer costs nothing.
 */
export function isThenable<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}
