import { Breaker, type BreakerState } from './breaker.js';
import { etagOf } from './etag.js';
import type { CacheErrorKind, Emitter } from './events.js';
import { refreshEarly } from './freshness.js';
import { BELOW, FIRST, GuardedStore } from './guarded-store.js';
import { InvalidationQueue, type WhenUnreachable } from './invalidation-queue.js';
import { namespaceTagId } from './keys.js';
import { Loads } from './loads.js';
import type { ResolvedCacheOptions } from './options.js';
import { type CallPolicy, judge, type Loader, type Read, type Stale, Verdict } from './policy.js';
import type { CacheRecord } from './record.js';
import { Reporter } from './reporter.js';
import { SingleFlight } from './single-flight.js';
import type { Stats } from './stats.js';
import {
  type InvalidationMode,
  isThenable,
  type MaybePromise,
  type Store,
  type StoreRead,
  type TagState,
} from './store.js';
import { isTiered } from './tiered-brand.js';
import { Writer } from './writer.js';

export type { CallPolicy, Loader, PolicySettings } from './policy.js';

/** @internal What one invalidation sends to the store: keys to delete, or tags to invalidate. */
export type Invalidation =
  | { readonly keys: readonly string[]; readonly tags?: undefined }
  | { readonly tags: readonly string[]; readonly mode: InvalidationMode; readonly keys?: undefined };

/**
 * @internal The read, judge, load and write path behind every cached call, with its
 * counters and events. A hit answers from the store; a miss runs the loader once per key
 * (per process, whatever the number of callers; per fleet with a stampede protector) and
 * writes what it returns; a stale entry answers at once while it is refreshed, or stands
 * in for a failed load, within the policy's windows. Store failures never reach the
 * caller: they are counted and emitted (fail-open); every store operation is bounded by
 * `storeTimeout` and passes the circuit breaker. While an invalidation waits in the queue
 * (the store could not be reached), entries under its keys and tags are neither served
 * nor written: their calls run the method.
 */
export class Engine {
  /** The store as this cache calls it: bounded by `storeTimeout`, behind the breaker. */
  readonly store: Store;
  readonly queue: InvalidationQueue;
  readonly #breaker: Breaker;
  readonly #guard: GuardedStore;
  readonly #options: ResolvedCacheOptions;
  readonly #report: Reporter;
  readonly #writer: Writer;
  readonly #loads: Loads;
  readonly #flights = new SingleFlight();
  /** A tiered store: a call reads its L1 copy and judges it (see `TieredReads` in tiered-brand.ts). */
  readonly #tiered: boolean;
  #closed = false;
  #enabled: boolean;

  constructor(options: ResolvedCacheOptions, stats: Stats, events: Emitter) {
    this.#enabled = options.enabled;
    this.#tiered = isTiered(options.store);
    this.#report = new Reporter(stats, events, options.store.name, options.logger);
    this.#breaker = new Breaker(options.breaker, options.clock, {
      changed: (state) => {
        if (events.has('breaker')) events.emit('breaker', { state });
      },
      recovered: () => this.queue.storeIsBack(),
    });
    this.#guard = new GuardedStore(options.store, options.storeTimeoutMs, this.#breaker, options.namespace);
    this.store = this.#guard.asStore();
    this.queue = new InvalidationQueue(this.store, namespaceTagId(options.namespace), {
      changed: (outcome, queued) => {
        if (events.has('queue')) events.emit('queue', { outcome, queued });
      },
      failed: (error) => this.#report.storeError(error, undefined, undefined),
      waitMs: () => this.#breaker.remainingMs,
    });
    // Everything below calls the store through the guard.
    this.#options = { ...options, store: this.store };
    this.#writer = new Writer(this.#options, this.#report, this.queue);
    this.#loads = new Loads(this.#options, this.#report, this.#writer, this.#flights, this.queue);
  }

  /** Whether the store's last read answered synchronously (see {@link GuardedStore.readsAtOnce}). */
  get readsAtOnce(): boolean {
    return this.#guard.readsAtOnce;
  }

  /** Where the circuit breaker stands. */
  get circuit(): BreakerState {
    return this.#breaker.state;
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
      this.#report.miss(key, policy);
      return this.#loads.run(key, [], undefined, undefined, policy, fn, self, args);
    }
    const joined = this.#flights.join(key);
    // With `revalidate: 'caller'` a load may be the refresh of a stale entry, which the
    // callers that come meanwhile are served: read it before joining (in #settle).
    if (joined !== undefined && !policy.freshness.byCaller) return this.#coalesce(joined, key, policy);
    if (this.queue.size !== 0 && this.queue.holds(key, tags)) return this.#uncached(key, policy, fn, self, args);
    // The open breaker would refuse the read: skip building it (an outage's every call).
    if (this.#breaker.refusing()) {
      this.#report.fastFail(policy);
      return this.#uncached(key, policy, fn, self, args);
    }
    let read: MaybePromise<StoreRead<CacheRecord | Uint8Array>>;
    try {
      // A tiered store answers its L1 copy unjudged: judged once, below, not twice.
      read = this.#tiered ? this.#guard.readAs(FIRST, key, tags) : this.#options.store.read(key, tags);
    } catch (error) {
      return this.#readFailed(error, key, policy, fn, self, args);
    }
    if (isThenable(read)) {
      // One continuation decodes and decides: every extra hop costs a remote hit latency.
      // Reads are not shared between callers: a read sent before another process's
      // invalidation resolved must not answer a caller that came after it (P1).
      return read.then(
        (result) => this.#decide(this.#writer.records(result, key), key, tags, policy, fn, self, args, false),
        (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
      );
    }
    // A synchronous answer from a tiered store may be its L1 copy: L2's answer replaces it unless it is fresh.
    return this.#decide(this.#writer.records(read, key), key, tags, policy, fn, self, args, this.#tiered);
  }

  /**
   * L2's answer, when a tiered store's L1 copy was not fresh. The same steps as the end of
   * {@link call}, written again on purpose: one method shared by both puts a call between
   * `call` and `#decide` on every hit, and measured no cheaper (callgrind: 2,860–2,900
   * instructions a memory hit, against 2,840–2,850 with the steps in `call`).
   */
  #readBelow(
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    let read: MaybePromise<StoreRead<CacheRecord | Uint8Array>>;
    try {
      read = this.#guard.readAs(BELOW, key, tags);
    } catch (error) {
      return this.#readFailed(error, key, policy, fn, self, args);
    }
    if (isThenable(read)) {
      return read.then(
        (result) => this.#decide(this.#writer.records(result, key), key, tags, policy, fn, self, args, false),
        (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
      );
    }
    return this.#decide(this.#writer.records(read, key), key, tags, policy, fn, self, args, false);
  }

  /** A fresh record plus its etag, for `get`/`getEntry`; `undefined` on a miss or a store failure. */
  async fresh(
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    withEtag: boolean,
  ): Promise<(CacheRecord & { etag: string }) | undefined> {
    if (!this.#enabled || (this.queue.size !== 0 && this.queue.holds(key, tags))) {
      this.#report.miss(key, policy);
      return undefined;
    }
    const store = this.#options.store;
    const read = await this.#writer.read(key, tags, policy);
    if (read === undefined) return undefined;
    const record = read.record;
    const now = this.#options.clock.now();
    let verdict: Verdict =
      record === undefined || (this.queue.size !== 0 && this.queue.holds(undefined, record.tags))
        ? Verdict.Gone
        : judge(record, read.tags, tags, now);
    if (record !== undefined && verdict === Verdict.OtherTags) {
      try {
        verdict = judge(record, await store.readTags(record.tags), record.tags, now);
      } catch (error) {
        this.#report.storeError(error, key, policy);
        return undefined;
      }
    }
    if (record === undefined || verdict !== Verdict.Fresh) {
      this.#report.miss(key, policy);
      return undefined;
    }
    this.#report.hit(key, policy);
    return { ...record, etag: withEtag ? etagOf(record, key, this.#options) : '' };
  }

  /**
   * Runs an invalidation against the store; true when it reached it. A failure is counted
   * and emitted, and the invalidation queued (replayed when the store answers); then it
   * rejects (`'reject'`: the caller must know its write may still be visible elsewhere) or
   * resolves (`'queue'`).
   */
  async invalidate(what: Invalidation, when: WhenUnreachable, key: string | undefined): Promise<boolean> {
    this.invalidated();
    const { store, queue } = this;
    try {
      if (what.keys !== undefined) await store.delete(what.keys);
      else await store.invalidateTags(what.tags, what.mode);
    } catch (error) {
      this.storeError(error, key, undefined);
      if (what.keys !== undefined) queue.addKeys(what.keys);
      else queue.addTags(what.tags, what.mode);
      if (when === 'queue') return false;
      throw error;
    }
    if (what.keys !== undefined) queue.reachedKeys(what.keys);
    else queue.reachedTags(what.tags, what.mode);
    return true;
  }

  /** See {@link Writer.write}: an explicit `set` passes `throwErrors`. */
  write(
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
    return this.#writer.write(key, value, tags, versions, generation, policy, throwErrors, ttl, delta);
  }

  storeError(error: unknown, key: string | undefined, policy: CallPolicy | undefined): void {
    this.#report.storeError(error, key, policy);
  }

  emitError(kind: CacheErrorKind, error: unknown, key: string | undefined, label: string | undefined): void {
    this.#report.emitError(kind, error, key, label);
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
    below: boolean,
  ): Promise<unknown> {
    const record = read.record;
    if (record === undefined) return this.#miss(read, undefined, key, tags, policy, fn, self, args);
    // Queued while the read was out, or a tag the entry carries beyond the caller's (resultTags).
    if (this.queue.size !== 0 && (this.queue.holds(key, tags) || this.queue.holds(undefined, record.tags))) {
      return this.#uncached(key, policy, fn, self, args);
    }
    const verdict = judge(record, read.tags, tags, this.#options.clock.now());
    if (below && verdict !== Verdict.Fresh) return this.#readBelow(key, tags, policy, fn, self, args);
    if (verdict !== Verdict.OtherTags) return this.#settle(verdict, record, read, key, tags, policy, fn, self, args);
    // The entry was written with other tags than this caller names: read those.
    let pending: MaybePromise<readonly TagState[]>;
    try {
      pending = this.#options.store.readTags(record.tags);
    } catch (error) {
      return this.#readFailed(error, key, policy, fn, self, args);
    }
    if (!isThenable(pending)) {
      // A store that answers at once (memory): no extra turn for the entry's own tags.
      const again = judge(record, pending, record.tags, this.#options.clock.now());
      return this.#settle(again, record, read, key, tags, policy, fn, self, args);
    }
    return pending.then(
      (states) => {
        const again = judge(record, states, record.tags, this.#options.clock.now());
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
      this.#report.hit(key, policy);
      return Promise.resolve(record.value);
    }
    // A stale entry is usable within a window, and only when one is on (an entry marked
    // stale by an invalidation before its expiry is not usable without one).
    const now = this.#options.clock.now();
    if (
      (verdict !== Verdict.Expired && verdict !== Verdict.Invalidated) ||
      policy.graceMs === 0 ||
      now >= record.expiresAt + policy.graceMs
    ) {
      return this.#miss(read, undefined, key, tags, policy, fn, self, args);
    }
    const stale: Stale = { record, invalidated: verdict === Verdict.Invalidated };
    const swrMs = policy.freshness.swrMs;
    if (swrMs > 0 && now < record.expiresAt + swrMs) {
      if (policy.freshness.byCaller) {
        // The first caller to find it stale loads it (a miss that may fall back on the
        // stale value on error); those that come during that load are served stale.
        if (this.#flights.join(key) === undefined) return this.#miss(read, stale, key, tags, policy, fn, self, args);
        this.#report.stale(key, policy, 'revalidating', stale.invalidated);
        return Promise.resolve(record.value);
      }
      this.#refresh(read, key, tags, policy, fn, self, args, false);
      this.#report.stale(key, policy, 'revalidating', stale.invalidated);
      return Promise.resolve(record.value);
    }
    return this.#miss(read, stale, key, tags, policy, fn, self, args);
  }

  /** A caller that shares a load already running for its key: a miss, and coalesced. */
  #coalesce(joined: Promise<unknown>, key: string, policy: CallPolicy): Promise<unknown> {
    this.#report.coalesced(key, policy);
    return joined;
  }

  /**
   * A background refresh. A call with guessed tags (see {@link CallPolicy.realTags}) gets
   * its own first, and their states when they are not the guess, read before the loader
   * runs (P2). The caller has its value already: a failure here only means no refresh now.
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
    if (policy.realTags !== undefined) {
      let real: readonly string[];
      try {
        real = policy.realTags(self, args);
      } catch (error) {
        this.#report.loadError(error, key, policy);
        return;
      }
      if (real !== tags) {
        if (this.queue.size !== 0 && this.queue.holds(key, real)) return;
        this.#withStates(read, real, key, policy).then(
          (withStates) => {
            if (withStates !== undefined) this.#loads.refresh(withStates, key, real, policy, fn, self, args, early);
          },
          () => undefined,
        );
        return;
      }
    }
    this.#loads.refresh(read, key, tags, policy, fn, self, args, early);
  }

  /**
   * A load after a miss. A call with guessed tags gets its own first (a tags function that
   * throws rejects the call, as it would before the read), and their states when they
   * are not the guess, read before the loader runs (P2).
   */
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
    if (policy.realTags !== undefined) {
      let real: readonly string[];
      try {
        real = policy.realTags(self, args);
      } catch (error) {
        return Promise.reject(error);
      }
      if (real !== tags) {
        if (this.queue.size !== 0 && this.queue.holds(key, real)) return this.#uncached(key, policy, fn, self, args);
        return this.#withStates(read, real, key, policy).then((withStates) =>
          withStates === undefined
            ? this.#uncached(key, policy, fn, self, args)
            : this.#load(withStates, stale, key, real, policy, fn, self, args),
        );
      }
    }
    return this.#load(read, stale, key, tags, policy, fn, self, args);
  }

  /** `read` with the states of `tags` instead; undefined (counted and emitted) when the store failed. */
  async #withStates(read: Read, tags: readonly string[], key: string, policy: CallPolicy): Promise<Read | undefined> {
    try {
      const states = await this.#options.store.readTags(tags);
      return { record: read.record, tags: states, generation: read.generation };
    } catch (error) {
      this.#report.storeError(error, key, policy);
      return undefined;
    }
  }

  #load(
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
    this.#report.miss(key, policy);
    // A load of this key failed a moment ago: serve the stale value rather than fail again.
    if (stale !== undefined && this.#loads.backingOff(key) && this.#loads.staleOnError(key, stale, policy)) {
      this.#report.stale(key, policy, 'error', stale.invalidated);
      return Promise.resolve(stale.record.value);
    }
    // The versions and generation seen *before* the loader runs are what the entry
    // records: an invalidation that lands during the load makes it stale (P2).
    const versions = this.#loads.versionsOf(tags, read.tags);
    return this.#flights.start(key, () =>
      this.#loads.inFleet(key, tags, versions, read.generation, stale, policy, fn, self, args),
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
    this.#report.storeError(error, key, policy);
    return this.#uncached(key, policy, fn, self, args);
  }

  /** A call that may not use the store: the loader runs (once per key) and nothing is written. */
  #uncached(key: string, policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): Promise<unknown> {
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    this.#report.miss(key, policy);
    return this.#loads.uncached(key, policy, fn, self, args);
  }
}
