// Entries in and out of the store: records encoded for byte stores and decoded from them,
// TTLs (with jitter and the stale window), and the tags a loaded value adds.
import { parseDuration } from './duration.js';
import { CacheError, CacheOptionsError, DecodeError, StoreError } from './errors.js';
import type { InvalidationQueue } from './invalidation-queue.js';
import { checkTtlFitsStore, type ResolvedCacheOptions } from './options.js';
import type { CallPolicy, Read } from './policy.js';
import { type CacheRecord, type DecodeLimits, decodeRecord, encodeRecord } from './record.js';
import type { Reporter } from './reporter.js';
import { assertSerializable } from './serializer.js';
import { isThenable, type StoreRead } from './store.js';

/** @internal Writes and reads entries for one cache. */
export class Writer {
  readonly #options: ResolvedCacheOptions;
  readonly #report: Reporter;
  readonly #limits: DecodeLimits;
  readonly #queue: InvalidationQueue;

  constructor(options: ResolvedCacheOptions, report: Reporter, queue: InvalidationQueue) {
    this.#options = options;
    this.#report = report;
    this.#queue = queue;
    this.#limits = { maxPayloadBytes: options.maxPayloadBytes };
  }

  /**
   * Writes an entry with a TTL of `ttl` ms (jittered) and the load time `delta`. Failures
   * are counted and emitted; they reach the caller only when `throwErrors` (an explicit
   * `set`), never on a load's write (fail-open). A load's value is not written while an
   * invalidation of its key or one of its tags waits in the queue: the store has not seen
   * that invalidation, so the value may be from before it.
   */
  async write(
    key: string,
    value: unknown,
    tags: readonly string[],
    versions: readonly number[],
    generation: number | undefined,
    policy: CallPolicy,
    throwErrors: boolean,
    ttl: number,
    delta: number,
  ): Promise<void> {
    if (!throwErrors && this.#queue.size !== 0 && this.#queue.holds(key, tags)) return;
    const now = this.#options.clock.now();
    const ttlMs = this.#jittered(ttl);
    const record: CacheRecord = { value, storedAt: now, expiresAt: now + ttlMs, tags, versions, delta };
    // The store keeps the entry through its stale windows; core judges freshness by expiresAt.
    const writeOptions = { ttlMs: ttlMs + policy.graceMs, generation };
    let written: boolean;
    try {
      const store = this.#options.store;
      if (store.payload === 'live') {
        if (store.checkValues === true) assertSerializable(value, this.#options.serializer);
        written = await store.write(key, record, writeOptions);
      } else {
        written = await store.write(key, encodeRecord(record, this.#options.serializer, this.#limits), writeOptions);
      }
    } catch (error) {
      if (error instanceof CacheError && error.code === 'ERR_CACHE_SERIALIZE') {
        this.#report.emitError('serialize', error, key, policy.label);
        if (throwErrors) throw error;
        this.#report.uncacheable(error, policy);
        return;
      }
      this.#report.storeError(error, key, policy);
      if (throwErrors) throw error;
      return;
    }
    // false: the generation check refused it (a delete landed during the load).
    if (written !== false) this.#report.set(key, policy, ttlMs);
  }

  /** The TTL of a loaded value: the policy's, or its `ttl` function's answer, checked. */
  ttlOf(value: unknown, args: readonly unknown[], policy: CallPolicy): number {
    if (policy.ttlOf === undefined) return policy.ttlMs;
    const option = `${policy.label}: the \`ttl\` function's result`;
    let ttl: unknown;
    try {
      ttl = policy.ttlOf(value, args);
    } catch (cause) {
      throw new CacheOptionsError(`${policy.label}: the \`ttl\` function threw`, { cause });
    }
    const ttlMs = parseDuration(ttl, option);
    checkTtlFitsStore(ttlMs + policy.graceMs, this.#options.store, option);
    return ttlMs;
  }

  /** The store's version mark before a load with `resultTags`; `undefined` when it failed (reported). */
  async versionMark(key: string, policy: CallPolicy): Promise<number | undefined> {
    try {
      return await this.#options.store.versionMark!();
    } catch (error) {
      this.#report.storeError(error, key, policy);
      return undefined;
    }
  }

  /**
   * The entry's tags and versions once `resultTags` added the value's own. A result tag
   * whose version reached `mark` was invalidated (or created) after the load began: the
   * value may predate that invalidation, so it is not written (P2), and that is reported.
   */
  async withResultTags(
    value: unknown,
    args: unknown[],
    tags: readonly string[],
    versions: readonly number[],
    mark: number,
    key: string,
    policy: CallPolicy,
  ): Promise<[readonly string[], readonly number[]] | undefined> {
    const extra = policy.resultTagIds!(value, args).filter((tag) => !tags.includes(tag));
    if (extra.length === 0) return [tags, versions];
    const states = await this.#options.store.readTags(extra);
    if (states.some((state) => state.version >= mark)) {
      this.#report.emitError(
        'store',
        new StoreError('a result tag was invalidated (or its bookkeeping created) during the load: not cached'),
        key,
        policy.label,
      );
      return undefined;
    }
    return [
      [...tags, ...extra],
      [...versions, ...states.map((state) => state.version)],
    ];
  }

  #jittered(ttlMs: number): number {
    const jitter = this.#options.jitter;
    return jitter === 0 ? ttlMs : Math.max(1, ttlMs - Math.floor(this.#options.random() * jitter * ttlMs));
  }

  /**
   * Reads `key` off the hit path (`get`, a re-read after the fleet lock changed hands):
   * the answer as records, or `undefined` when the store failed (counted and emitted).
   */
  async read(key: string, tags: readonly string[], policy: CallPolicy): Promise<Read | undefined> {
    try {
      const pending = this.#options.store.read(key, tags);
      return this.records(isThenable(pending) ? await pending : pending, key);
    } catch (error) {
      this.#report.storeError(error, key, policy);
      return undefined;
    }
  }

  /** A store's answer with its payload as a record: as it is from a live store, decoded from a byte store. */
  records(read: StoreRead<CacheRecord | Uint8Array>, key: string): Read {
    return this.#options.store.payload === 'live' ? (read as Read) : this.#decode(read as StoreRead<Uint8Array>, key);
  }

  /** A bad payload reads as a miss plus an event, never a throw. */
  #decode(read: StoreRead<Uint8Array>, key: string): Read {
    const bytes = read.record;
    if (bytes === undefined) return read as StoreRead<never>;
    try {
      return {
        record: decodeRecord(bytes, this.#options.serializer, this.#limits),
        tags: read.tags,
        generation: read.generation,
      };
    } catch (error) {
      const reported =
        error instanceof DecodeError ? error : new DecodeError('payload could not be decoded', { cause: error });
      this.#report.emitError('decode', reported, key, undefined);
      return { record: undefined, tags: read.tags, generation: read.generation };
    }
  }
}
