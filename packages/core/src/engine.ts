import { parseDuration } from './duration.js';
import { CacheError, CacheOptionsError, DecodeError, StoreError, withoutArguments } from './errors.js';
import { etagOf } from './etag.js';
import type { CacheErrorKind, Emitter, LockOutcome, StaleReason } from './events.js';
import { Backoff, type Freshness, refreshEarly } from './freshness.js';
import { checkTtlFitsStore, type ResolvedCacheOptions } from './options.js';
import { type CacheRecord, type DecodeLimits, decodeRecord, encodeRecord } from './record.js';
import { assertSerializable } from './serializer.js';
import { SingleFlight } from './single-flight.js';
import type { StampedeLock } from './stampede.js';
import type { CacheCounters, Stats } from './stats.js';
import { isThenable, type MaybePromise, type StoreRead, type TagState } from './store.js';
import { describeValue } from './validate.js';
import { warnUncacheable, warnUnusableOption } from './warnings.js';

/** @internal The settings of a method or label, before they are bound to counters. */
export interface PolicySettings {
  readonly ttlMs: number;
  /** A `ttl` function: the entry's TTL from its value and the call's arguments. */
  readonly ttlOf: ((value: unknown, args: readonly unknown[]) => unknown) | undefined;
  /** Tag ids a loaded value adds to the call's own (`resultTags`, turned into ids by the cache). */
  readonly resultTags: ((value: unknown, args: readonly unknown[]) => readonly string[]) | undefined;
  readonly freshness: Freshness;
  readonly unless: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  /** Decorated methods must return a promise: callers of the method expect one. */
  readonly requirePromise: boolean;
}

/** @internal A method's or label's settings, bound to one cache. */
export interface CallPolicy extends PolicySettings {
  readonly label: string;
  readonly counters: CacheCounters;
  /** How long past its TTL an entry is worth keeping: the larger stale window. */
  readonly graceMs: number;
  /** `resultTags` as tag ids (checked, namespaced); throws a CacheOptionsError for a bad answer. */
  readonly resultTagIds: ((value: unknown, args: readonly unknown[]) => readonly string[]) | undefined;
}

export type Loader = (this: unknown, ...args: unknown[]) => unknown;
type Read = StoreRead<CacheRecord>;

/** An entry that may stand in for a fresh one, and why it is stale. */
interface Stale {
  readonly record: CacheRecord;
  readonly invalidated: boolean;
}

/** What a read makes of an entry. */
enum Verdict {
  Fresh,
  /** Past its TTL; usable as stale within the policy's windows. */
  Expired,
  /** Marked stale by an `'expire'`-mode invalidation; usable as stale within the windows. */
  Invalidated,
  /** Deleted, hard-invalidated, or from before the bookkeeping was lost: never served. */
  Gone,
  /** Written with other tags than the caller names: read those first. */
  OtherTags,
}

/** Background refreshes running at once, per cache; past it a stale read just serves. */
const MAX_REFRESHES = 10_000;

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
  readonly #backoff = new Backoff();
  /** Keys being refreshed in the background (not joinable: callers meanwhile get the stale value). */
  readonly #refreshing = new Set<string>();
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
    let verdict = record === undefined ? Verdict.Gone : this.#judge(record, read.tags, tags);
    if (record !== undefined && verdict === Verdict.OtherTags) {
      try {
        verdict = this.#judge(record, await this.#options.store.readTags(record.tags), record.tags);
      } catch (error) {
        this.storeError(error, key, policy);
        return undefined;
      }
    }
    if (record === undefined || verdict !== Verdict.Fresh) {
      this.#countMiss(key, policy);
      return undefined;
    }
    this.#countHit(key, policy);
    return { ...record, etag: withEtag ? etagOf(record, key, this.#options) : '' };
  }

  /**
   * Writes an entry with a TTL of `ttl` ms (jittered) and the load time `delta`. Failures
   * are counted and emitted; they reach the caller only when `throwErrors` (an explicit
   * `set`), never on a load's write (fail-open).
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
    if (record === undefined) return this.#miss(read, undefined, key, tags, policy, fn, self, args);
    const verdict = this.#judge(record, read.tags, tags);
    if (verdict !== Verdict.OtherTags) return this.#settle(verdict, record, read, key, tags, policy, fn, self, args);
    // The entry was written with other tags than this caller names: read those.
    let pending: MaybePromise<readonly TagState[]>;
    try {
      pending = this.#options.store.readTags(record.tags);
    } catch (error) {
      return this.#readFailed(error, key, policy, fn, self, args);
    }
    return Promise.resolve(pending).then(
      (states) => {
        const again = this.#judge(record, states, record.tags);
        return this.#settle(again, record, read, key, tags, policy, fn, self, args);
      },
      (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
    );
  }

  /** Answers a read whose entry was judged: a hit, a stale value while revalidating, or a miss. */
  #settle(
    verdict: Verdict,
    record: CacheRecord,
    read: Read,
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    if (verdict === Verdict.Fresh) {
      const beta = policy.freshness.beta;
      if (
        beta > 0 &&
        refreshEarly(this.#options.clock.now(), record.expiresAt, record.delta, beta, this.#options.random())
      ) {
        this.#refresh(read, key, tags, policy, fn, self, args, true);
      }
      return this.#hit(record.value, key, policy);
    }
    if (verdict === Verdict.Gone || verdict === Verdict.OtherTags) {
      return this.#miss(read, undefined, key, tags, policy, fn, self, args);
    }
    // A stale entry is usable within a window, and only when one is on (an entry marked
    // stale by an invalidation before its expiry is not usable without one).
    const now = this.#options.clock.now();
    if (policy.graceMs === 0 || now >= record.expiresAt + policy.graceMs) {
      return this.#miss(read, undefined, key, tags, policy, fn, self, args);
    }
    const stale: Stale = { record, invalidated: verdict === Verdict.Invalidated };
    const swrMs = policy.freshness.swrMs;
    if (swrMs > 0 && now < record.expiresAt + swrMs) {
      this.#refresh(read, key, tags, policy, fn, self, args, false);
      policy.counters.hits++;
      this.#stats.total.hits++;
      return Promise.resolve(this.#serveStale(stale, 'revalidating', key, policy));
    }
    return this.#miss(read, stale, key, tags, policy, fn, self, args);
  }

  /**
   * The verdict on an entry, given the states of the tags asked for. An entry is fresh
   * when unexpired and every tag still has the version it recorded; stale (usable within
   * the stale windows) when expired or when only `'expire'`-mode invalidations moved its
   * tags on; gone when a `'delete'`-mode invalidation did (hardVersion passed the version
   * the entry recorded: versions only grow).
   */
  #judge(record: CacheRecord, states: readonly TagState[], asked: readonly string[]): Verdict {
    const tags = record.tags;
    if (tags !== asked) {
      if (tags.length !== asked.length) return Verdict.OtherTags;
      for (let i = 0; i < tags.length; i++) if (tags[i] !== asked[i]) return Verdict.OtherTags;
    }
    let verdict = record.expiresAt <= this.#options.clock.now() ? Verdict.Expired : Verdict.Fresh;
    const versions = record.versions;
    for (let i = 0; i < versions.length; i++) {
      const state = states[i];
      if (state === undefined) return Verdict.Gone;
      if (state.version !== versions[i]) {
        if (state.hardVersion > versions[i]!) return Verdict.Gone;
        verdict = Verdict.Invalidated;
      }
    }
    return verdict;
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

  /** Counts and emits a stale value served, and returns it. */
  #serveStale(stale: Stale, reason: StaleReason, key: string, policy: CallPolicy): unknown {
    const counters = policy.counters;
    const total = this.#stats.total;
    counters.staleHits++;
    total.staleHits++;
    if (reason === 'revalidating') {
      counters.staleRevalidating++;
      total.staleRevalidating++;
    } else if (reason === 'error') {
      counters.staleOnError++;
      total.staleOnError++;
    } else {
      counters.staleOnLockTimeout++;
      total.staleOnLockTimeout++;
    }
    if (stale.invalidated) {
      counters.staleInvalidated++;
      total.staleInvalidated++;
    }
    if (this.#events.has('stale')) {
      this.#events.emit('stale', { key, label: policy.label, reason, invalidated: stale.invalidated });
    }
    return stale.record.value;
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
    stale: Stale | undefined,
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
    // A load of this key failed a moment ago: serve the stale value rather than fail again.
    if (
      stale !== undefined &&
      this.#backoff.waiting(key, this.#options.clock.now()) &&
      this.#staleOnError(stale, policy)
    ) {
      return Promise.resolve(this.#serveStale(stale, 'error', key, policy));
    }
    // The versions and generation seen *before* the loader runs are what the entry
    // records: an invalidation that lands during the load makes it stale (P2).
    const versions = this.#versionsOf(tags, read.tags);
    return this.#flights.start(key, () =>
      this.#loadInFleet(key, tags, versions, read.generation, stale, policy, fn, self, args),
    );
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
   * A miss's load, with the fleet-wide lock when a protector is set: the process that
   * takes it loads; the others wait for its release and read what it wrote, or, past the
   * protector's wait, serve a stale value if they have one, else load themselves. The
   * lock only saves loads: what is written and judged fresh does not depend on it (P2).
   */
  async #loadInFleet(
    key: string,
    tags: readonly string[],
    versions: readonly number[],
    generation: number,
    stale: Stale | undefined,
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    const protector = this.#options.stampede;
    if (protector === undefined)
      return this.#loadOrStale(key, tags, versions, generation, stale, policy, fn, self, args);
    const lock = await this.#tryLock(key, policy);
    if (lock === null) return this.#loadOrStale(key, tags, versions, generation, stale, policy, fn, self, args);
    if (lock !== undefined) {
      try {
        return await this.#loadOrStale(key, tags, versions, generation, stale, policy, fn, self, args);
      } finally {
        void lock.release();
      }
    }
    this.#countLock(key, policy, 'waited');
    if (!(await protector.waitForRelease(key))) {
      this.#countLock(key, policy, 'timeout');
      // (a stale entry was only kept when a window is on, see #settle)
      if (stale !== undefined && this.#options.clock.now() < stale.record.expiresAt + policy.graceMs) {
        return this.#serveStale(stale, 'lock-timeout', key, policy);
      }
      return this.#loadOrStale(key, tags, versions, generation, stale, policy, fn, self, args);
    }
    // Released: the holder's value, if it got one, is in the store. Read it as any reader would.
    let again: Read;
    try {
      const pending = this.#options.store.read(key, tags);
      again = this.#records(isThenable(pending) ? await pending : pending, key);
    } catch (error) {
      this.storeError(error, key, policy);
      return this.#load(key, [], undefined, undefined, policy, fn, self, args);
    }
    const record = again.record;
    if (record !== undefined && this.#judge(record, again.tags, tags) === Verdict.Fresh) {
      this.#countLock(key, policy, 'peer-loaded');
      return record.value;
    }
    // The holder failed, or its value was invalidated since: load, with what this read saw.
    const seen = this.#versionsOf(tags, again.tags);
    return this.#loadOrStale(key, tags, seen, again.generation, stale, policy, fn, self, args);
  }

  /** The protector's lock: a lock, `undefined` when another process holds it, `null` when it could not be asked. */
  async #tryLock(key: string, policy: CallPolicy): Promise<StampedeLock | undefined | null> {
    const protector = this.#options.stampede!;
    try {
      const lock = await protector.tryLock(key);
      if (lock !== undefined) this.#countLock(key, policy, 'acquired');
      return lock;
    } catch (error) {
      this.#countLock(key, policy, 'unavailable');
      const wrapped =
        error instanceof CacheError
          ? error
          : new StoreError(
              `${protector.name} stampede protector failed: ${(error as Error | undefined)?.message ?? String(error)}`,
              {
                cause: withoutArguments(error),
              },
            );
      this.emitError('lock', wrapped, key, policy.label);
      return null;
    }
  }

  #countLock(key: string, policy: CallPolicy, outcome: LockOutcome): void {
    const counters = policy.counters;
    const total = this.#stats.total;
    if (outcome === 'acquired') {
      counters.locksAcquired++;
      total.locksAcquired++;
    } else if (outcome === 'waited') {
      counters.lockWaits++;
      total.lockWaits++;
    } else if (outcome === 'timeout') {
      counters.lockTimeouts++;
      total.lockTimeouts++;
    } else if (outcome === 'peer-loaded') {
      counters.peerLoads++;
      total.peerLoads++;
    } else {
      counters.lockErrors++;
      total.lockErrors++;
    }
    if (this.#events.has('lock')) this.#events.emit('lock', { key, label: policy.label, outcome });
  }

  /** A load; if it fails and a stale value may stand in (`staleIfError`), that value, and the key backs off. */
  async #loadOrStale(
    key: string,
    tags: readonly string[],
    versions: readonly number[],
    generation: number,
    stale: Stale | undefined,
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    try {
      const value = await this.#load(key, tags, versions, generation, policy, fn, self, args);
      this.#backoff.succeeded(key);
      return value;
    } catch (error) {
      if (stale === undefined || !this.#staleOnError(stale, policy)) throw error;
      this.#backoff.failed(key, this.#options.clock.now());
      return this.#serveStale(stale, 'error', key, policy);
    }
  }

  /** May `stale` stand in for a failed load now? */
  #staleOnError(stale: Stale, policy: CallPolicy): boolean {
    const windowMs = policy.freshness.staleIfErrorMs;
    return windowMs > 0 && this.#options.clock.now() < stale.record.expiresAt + windowMs;
  }

  /**
   * Starts a background refresh of `key`, unless one runs, the key backs off after a
   * failure, or too many run. With a protector, only the process that takes the lock
   * refreshes; the others go on serving what they have. The refresh records the versions
   * and generation read before it, like any load, so one that began before an
   * invalidation is never written as fresh (P2).
   */
  #refresh(
    read: Read,
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
    early: boolean,
  ): void {
    const refreshing = this.#refreshing;
    if (refreshing.has(key) || refreshing.size >= MAX_REFRESHES || this.#flights.join(key) !== undefined) return;
    if (this.#backoff.waiting(key, this.#options.clock.now())) return;
    refreshing.add(key);
    policy.counters.refreshes++;
    this.#stats.total.refreshes++;
    if (early) {
      policy.counters.earlyRefreshes++;
      this.#stats.total.earlyRefreshes++;
    }
    const versions = this.#versionsOf(tags, read.tags);
    const run = async (): Promise<void> => {
      let lock: StampedeLock | undefined | null = null;
      let ok = true;
      try {
        if (this.#options.stampede !== undefined) {
          lock = await this.#tryLock(key, policy);
          if (lock === undefined) return; // another process refreshes it
        }
        await this.#load(key, tags, versions, read.generation, policy, fn, self, args);
        this.#backoff.succeeded(key);
      } catch {
        ok = false;
        policy.counters.refreshErrors++;
        this.#stats.total.refreshErrors++;
        this.#backoff.failed(key, this.#options.clock.now());
      } finally {
        refreshing.delete(key);
        if (lock) void lock.release();
        if (lock !== undefined && this.#events.has('refresh')) {
          this.#events.emit('refresh', { key, label: policy.label, early, ok });
        }
      }
    };
    void run();
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

  /**
   * Runs the loader and writes its result. `versions` undefined: the store was not read,
   * so nothing is written. A rejected loader is counted, emitted and rethrown.
   */
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
    const clock = this.#options.clock;
    // Where tag versions stood before the load, for tags only its result names (P2).
    const mark =
      versions !== undefined && policy.resultTags !== undefined ? await this.#versionMark(key, policy) : undefined;
    const startedAt = clock.now();
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
    if (versions === undefined || (policy.unless !== undefined && policy.unless(value, args))) return value;
    const delta = Math.max(0, clock.now() - startedAt);
    let ttlMs: number;
    let entryTags = tags;
    let entryVersions = versions;
    try {
      ttlMs = this.#ttlOf(value, args, policy);
      if (policy.resultTags !== undefined) {
        if (mark === undefined) return value; // the mark could not be read: do not write
        const withResult = await this.#withResultTags(value, args, tags, versions, mark, key, policy);
        if (withResult === undefined) return value;
        [entryTags, entryVersions] = withResult;
      }
    } catch (error) {
      if (!(error instanceof CacheOptionsError)) {
        this.storeError(error, key, policy);
        return value;
      }
      this.emitError('options', error, key, policy.label);
      policy.counters.uncacheable++;
      this.#stats.total.uncacheable++;
      warnUnusableOption(policy.label, error);
      return value;
    }
    await this.write(key, value, entryTags, entryVersions, generation, policy, false, ttlMs, delta);
    return value;
  }

  /** The store's version mark before a load with `resultTags`; `undefined` when it failed (reported). */
  async #versionMark(key: string, policy: CallPolicy): Promise<number | undefined> {
    try {
      return await this.#options.store.versionMark!();
    } catch (error) {
      this.storeError(error, key, policy);
      return undefined;
    }
  }

  /**
   * The entry's tags and versions once `resultTags` added the value's own. A result tag
   * whose version reached `mark` was invalidated (or created) after the load began: the
   * value may predate that invalidation, so it is not written (P2).
   */
  async #withResultTags(
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
      if (this.#events.has('error')) {
        this.emitError(
          'store',
          new StoreError('a result tag was invalidated (or its bookkeeping created) during the load: not cached'),
          key,
          policy.label,
        );
      }
      return undefined;
    }
    return [
      [...tags, ...extra],
      [...versions, ...states.map((state) => state.version)],
    ];
  }

  /** The TTL of a loaded value: the policy's, or its `ttl` function's answer, checked. */
  #ttlOf(value: unknown, args: readonly unknown[], policy: CallPolicy): number {
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
