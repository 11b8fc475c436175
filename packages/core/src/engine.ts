import { CacheError, CacheOptionsError, DecodeError, StoreError, withoutArguments } from './errors.js';
import { etagOf } from './etag.js';
import type { CacheErrorKind, Emitter } from './events.js';
import type { ResolvedCacheOptions } from './options.js';
import { type CacheRecord, type DecodeLimits, decodeRecord, encodeRecord } from './record.js';
import { assertSerializable } from './serializer.js';
import { SingleFlight } from './single-flight.js';
import type { CacheCounters, Stats } from './stats.js';
import { isThenable, type MaybePromise, type StoreRead, type TagState } from './store.js';
import { describeValue } from './validate.js';
import { warnUncacheable } from './warnings.js';

/** @internal A method's or label's settings, bound to one cache. */
export interface CallPolicy {
  readonly label: string;
  readonly counters: CacheCounters;
  readonly ttlMs: number;
  readonly unless: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  /** Decorated methods must return a promise: callers of the method expect one. */
  readonly requirePromise: boolean;
}

export type Loader = (this: unknown, ...args: unknown[]) => unknown;
type Read = StoreRead<CacheRecord>;

/**
 * @internal The read, judge, load and write path behind every cached call, with its
 * counters and events. A hit answers from the store; a miss runs the loader once per key
 * (per process, whatever the number of callers) and writes what it returns. Store
 * failures never reach the caller: they are counted and emitted (fail-open).
 */
export class Engine {
  readonly #options: ResolvedCacheOptions;
  readonly #stats: Stats;
  readonly #events: Emitter;
  readonly #limits: DecodeLimits;
  readonly #flights = new SingleFlight();
  readonly #sharedVersions = new WeakMap<readonly string[], readonly number[]>();
  #lastVersions: readonly number[] | undefined;
  #closed = false;
  #enabled: boolean;

  constructor(options: ResolvedCacheOptions, stats: Stats, events: Emitter) {
    this.#options = options;
    this.#enabled = options.enabled;
    this.#stats = stats;
    this.#events = events;
    this.#limits = { maxPayloadBytes: options.maxPayloadBytes };
  }

  /** After this, calls run their loaders directly. */
  close(): void {
    this.#closed = true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** While off, cached calls run their loaders (each its own, counted as a miss and a load) and reads miss. */
  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(enabled: boolean) {
    this.#enabled = enabled;
  }

  /** Called on every invalidation made through the cache: no caller joins an older operation. */
  invalidated(): void {
    this.#flights.invalidate();
  }

  /**
   * A cached call. The hit path allocates nothing beyond what the store returns, which is
   * why the call path passes its six values positionally, not as one object per call (the
   * memory-hit rows of `pnpm bench` are the measure).
   */
  call(
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    if (this.#closed) return Promise.resolve(fn.apply(self, args));
    if (!this.#enabled) {
      this.#countMiss(key, policy);
      return this.#load(key, [], undefined, undefined, policy, fn, self, args);
    }
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    const store = this.#options.store;
    let read: MaybePromise<StoreRead<CacheRecord | Uint8Array>>;
    try {
      read = store.read(key, tags);
    } catch (error) {
      return this.#readFailed(error, key, policy, fn, self, args);
    }
    if (isThenable(read)) {
      // One continuation decodes and decides: every extra hop costs a remote hit latency.
      // Reads are not shared between callers: a read sent before another process's
      // invalidation resolved must not answer a caller that came after it (P1).
      return read.then(
        (result) => this.#decide(this.#records(result, key), key, tags, policy, fn, self, args),
        (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
      );
    }
    return this.#decide(this.#records(read, key), key, tags, policy, fn, self, args);
  }

  /** A fresh record plus its etag, for `get`/`getEntry`; `undefined` on a miss or a store failure. */
  async fresh(
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    withEtag: boolean,
  ): Promise<(CacheRecord & { etag: string }) | undefined> {
    if (!this.#enabled) {
      this.#countMiss(key, policy);
      return undefined;
    }
    let read: Read;
    try {
      const pending = this.#options.store.read(key, tags);
      read = this.#records(isThenable(pending) ? await pending : pending, key);
    } catch (error) {
      this.storeError(error, key, policy);
      return undefined;
    }
    const record = read.record;
    let fresh = record === undefined ? false : this.#judge(record, read.tags, tags);
    if (record !== undefined && fresh === undefined) {
      try {
        fresh = this.#judge(record, await this.#options.store.readTags(record.tags), record.tags) === true;
      } catch (error) {
        this.storeError(error, key, policy);
        return undefined;
      }
    }
    if (record === undefined || fresh !== true) {
      this.#countMiss(key, policy);
      return undefined;
    }
    this.#countHit(key, policy);
    return { ...record, etag: withEtag ? etagOf(record, key, this.#options) : '' };
  }

  /**
   * Writes an entry. Failures are counted and emitted; they reach the caller only when
   * `throwErrors` (an explicit `set`), never on a load's write (fail-open).
   */
  async write(
    key: string,
    value: unknown,
    tags: readonly string[],
    versions: readonly number[],
    generation: number | undefined,
    policy: CallPolicy,
    throwErrors: boolean,
  ): Promise<void> {
    const now = this.#options.clock.now();
    const ttlMs = this.#jittered(policy.ttlMs);
    const record: CacheRecord = { value, storedAt: now, expiresAt: now + ttlMs, tags, versions };
    const writeOptions = { ttlMs, generation };
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
        this.emitError('serialize', error, key, policy.label);
        if (throwErrors) throw error;
        this.#uncacheable(error, policy);
        return;
      }
      this.storeError(error, key, policy);
      if (throwErrors) throw error;
      return;
    }
    // false: the generation check refused it (a delete landed during the load).
    if (written !== false && this.#events.has('set')) this.#events.emit('set', { key, label: policy.label, ttlMs });
  }

  /** A load's result the store cannot hold: returned, not cached, counted, and said once per method. */
  #uncacheable(error: CacheError, policy: CallPolicy): void {
    policy.counters.uncacheable++;
    this.#stats.total.uncacheable++;
    warnUncacheable(policy.label, this.#options.store.name, error);
  }

  storeError(error: unknown, key: string | undefined, policy: CallPolicy | undefined): void {
    if (policy !== undefined) policy.counters.storeErrors++;
    this.#stats.total.storeErrors++;
    const wrapped =
      error instanceof CacheError
        ? error
        : new StoreError(
            `${this.#options.store.name} store failed: ${(error as Error | undefined)?.message ?? String(error)}`,
            {
              cause: withoutArguments(error),
            },
          );
    this.emitError('store', wrapped, key, policy?.label);
  }

  emitError(kind: CacheErrorKind, error: unknown, key: string | undefined, label: string | undefined): void {
    if (!this.#events.has('error')) return;
    this.#events.emit('error', {
      kind,
      error,
      ...(key === undefined ? {} : { key }),
      ...(label === undefined ? {} : { label }),
    });
  }

  // ---- the call path ----------------------------------------------------------------

  #decide(
    read: Read,
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    const record = read.record;
    if (record !== undefined) {
      const verdict = this.#judge(record, read.tags, tags);
      if (verdict === true) return this.#hit(record.value, key, policy);
      if (verdict === undefined) {
        // The entry was written with other tags than this caller names: read those.
        let pending: MaybePromise<readonly TagState[]>;
        try {
          pending = this.#options.store.readTags(record.tags);
        } catch (error) {
          return this.#readFailed(error, key, policy, fn, self, args);
        }
        return Promise.resolve(pending).then(
          (states) =>
            this.#judge(record, states, record.tags) === true
              ? this.#hit(record.value, key, policy)
              : this.#miss(read, key, tags, policy, fn, self, args),
          (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
        );
      }
    }
    return this.#miss(read, key, tags, policy, fn, self, args);
  }

  /** true: fresh; false: expired or invalidated; undefined: tags differ from those read. */
  #judge(record: CacheRecord, states: readonly TagState[], asked: readonly string[]): boolean | undefined {
    if (record.expiresAt <= this.#options.clock.now()) return false;
    const tags = record.tags;
    if (tags !== asked) {
      if (tags.length !== asked.length) return undefined;
      for (let i = 0; i < tags.length; i++) if (tags[i] !== asked[i]) return undefined;
    }
    const versions = record.versions;
    for (let i = 0; i < versions.length; i++) if (states[i]?.version !== versions[i]) return false;
    return true;
  }

  #hit(value: unknown, key: string, policy: CallPolicy): Promise<unknown> {
    this.#countHit(key, policy);
    return Promise.resolve(value);
  }

  #countHit(key: string, policy: CallPolicy): void {
    policy.counters.hits++;
    this.#stats.total.hits++;
    if (this.#events.has('hit')) this.#events.emit('hit', { key, label: policy.label });
  }

  #countMiss(key: string, policy: CallPolicy): void {
    policy.counters.misses++;
    this.#stats.total.misses++;
    if (this.#events.has('miss')) this.#events.emit('miss', { key, label: policy.label });
  }

  /** A caller that shares a load already running for its key: a miss, and coalesced. */
  #coalesce(joined: Promise<unknown>, key: string, policy: CallPolicy): Promise<unknown> {
    this.#countMiss(key, policy);
    policy.counters.coalesced++;
    this.#stats.total.coalesced++;
    return joined;
  }

  #miss(
    read: Read,
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    // Another caller may have started the load while this one's read was out.
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    this.#countMiss(key, policy);
    // The versions and generation seen *before* the loader runs are what the entry
    // records: an invalidation that lands during the load makes it stale (P2).
    const versions = this.#versionsOf(tags, read.tags);
    return this.#flights.start(key, () => this.#load(key, tags, versions, read.generation, policy, fn, self, args));
  }

  /** The store could not be read: run the loader (still once per key) and do not write. */
  #readFailed(
    error: unknown,
    key: string,
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    this.storeError(error, key, policy);
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    this.#countMiss(key, policy);
    return this.#flights.start(key, () => this.#load(key, [], undefined, undefined, policy, fn, self, args));
  }

  /**
   * The versions an entry records. Entries of one method with fixed tags usually record
   * the same versions, so they share one frozen array instead of holding one each.
   */
  #versionsOf(tags: readonly string[], states: readonly TagState[]): readonly number[] {
    // A tags function makes a new array per call: then the last versions made, whatever
    // their tags, are worth a look (tags nobody invalidated share their versions).
    const last = this.#sharedVersions.get(tags) ?? this.#lastVersions;
    if (
      last !== undefined &&
      last.length === states.length &&
      last.every((version, i) => states[i]?.version === version)
    ) {
      return last;
    }
    const versions = Object.freeze(states.map((state) => state.version));
    this.#sharedVersions.set(tags, versions);
    this.#lastVersions = versions;
    return versions;
  }

  async #load(
    key: string,
    tags: readonly string[],
    versions: readonly number[] | undefined,
    generation: number | undefined,
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    policy.counters.loads++;
    this.#stats.total.loads++;
    let value: unknown;
    try {
      const result = fn.apply(self, args);
      if (policy.requirePromise && typeof (result as { then?: unknown } | null)?.then !== 'function') {
        throw new CacheOptionsError(
          `${policy.label} returned ${describeValue(result)}, not a Promise: @Cached methods must be async ` +
            '(their callers receive a Promise either way)',
        );
      }
      value = await result;
    } catch (error) {
      policy.counters.loadErrors++;
      this.#stats.total.loadErrors++;
      this.emitError('load', error, key, policy.label);
      throw error;
    }
    if (versions !== undefined && (policy.unless === undefined || !policy.unless(value, args))) {
      await this.write(key, value, tags, versions, generation, policy, false);
    }
    return value;
  }

  #jittered(ttlMs: number): number {
    const jitter = this.#options.jitter;
    return jitter === 0 ? ttlMs : Math.max(1, ttlMs - Math.floor(this.#options.random() * jitter * ttlMs));
  }

  // ---- payloads ---------------------------------------------------------------------

  /** A store's answer with its payload as a record: as it is from a live store, decoded from a byte store. */
  #records(read: StoreRead<CacheRecord | Uint8Array>, key: string): Read {
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
      this.emitError('decode', reported, key, undefined);
      return { record: undefined, tags: read.tags, generation: read.generation };
    }
  }
}
