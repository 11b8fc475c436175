// Running loaders: with the fleet-wide lock when a protector is set, standing in a stale
// value when a load fails, refreshing in the background, and writing what they return.
import { CacheOptionsError } from './errors.js';
import { Backoff } from './freshness.js';
import type { InvalidationQueue } from './invalidation-queue.js';
import { callLoader, loadsTraced, traceLoad } from './load-trace.js';
import type { ResolvedCacheOptions } from './options.js';
import { type CallPolicy, judge, type Loader, type Read, SharedVersions, type Stale, Verdict } from './policy.js';
import { asCacheError, type Reporter } from './reporter.js';
import type { SingleFlight } from './single-flight.js';
import type { StampedeLock } from './stampede.js';
import type { TagState } from './store.js';
import type { Writer } from './writer.js';

/** Background refreshes running at once, per cache; past it a stale read just serves. */
const MAX_REFRESHES = 10_000;

/** @internal The loads of one cache. */
export class Loads {
  readonly #options: ResolvedCacheOptions;
  readonly #report: Reporter;
  readonly #writer: Writer;
  readonly #flights: SingleFlight;
  readonly #backoff = new Backoff();
  /** Keys being refreshed in the background (not joinable: callers meanwhile get the stale value). */
  readonly #refreshing = new Set<string>();
  readonly #versions = new SharedVersions();
  readonly #queue: InvalidationQueue;

  constructor(
    options: ResolvedCacheOptions,
    report: Reporter,
    writer: Writer,
    flights: SingleFlight,
    queue: InvalidationQueue,
  ) {
    this.#queue = queue;
    this.#options = options;
    this.#report = report;
    this.#writer = writer;
    this.#flights = flights;
  }

  /** True while a failed load of `key` backs off (1 s, doubling to 1 min). */
  backingOff(key: string): boolean {
    return this.#backoff.waiting(key, this.#options.clock.now());
  }

  /**
   * A miss's load, with the fleet-wide lock when a protector is set: the process that
   * takes it loads; the others wait for its release and read what it wrote, or, past the
   * protector's wait, serve a stale value if they have one, else load themselves. The
   * lock only saves loads: what is written and judged fresh does not depend on it (P2).
   */
  async inFleet(
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
    if (protector === undefined) return this.orStale(key, tags, versions, generation, stale, policy, fn, self, args);
    const lock = await this.#tryLock(key, policy);
    if (lock === null) return this.orStale(key, tags, versions, generation, stale, policy, fn, self, args);
    if (lock !== undefined) {
      try {
        // The lock may come just after another holder released it, its value written
        // since this caller's read: read again before loading.
        const again = await this.#reread(key, tags, policy);
        if (again === undefined) return await this.run(key, [], undefined, undefined, policy, fn, self, args);
        if (again.fresh) return again.value;
        const seen = this.versionsOf(tags, again.read.tags);
        return await this.orStale(key, tags, seen, again.read.generation, stale, policy, fn, self, args);
      } finally {
        void lock.release();
      }
    }
    this.#report.lock(key, policy, 'waited');
    if (!(await protector.waitForRelease(key))) {
      this.#report.lock(key, policy, 'timeout');
      // (a stale entry is only kept when a window is on: see Engine)
      if (
        stale !== undefined &&
        this.#options.clock.now() < stale.record.expiresAt + policy.graceMs &&
        !this.#held(key, stale.record.tags)
      ) {
        this.#report.stale(key, policy, 'lock-timeout', stale.invalidated);
        return stale.record.value;
      }
      return this.orStale(key, tags, versions, generation, stale, policy, fn, self, args);
    }
    // Released: the holder's value, if it got one, is in the store. Read it as any reader would.
    const again = await this.#reread(key, tags, policy);
    if (again === undefined) return this.run(key, [], undefined, undefined, policy, fn, self, args);
    if (again.fresh) return again.value;
    // The holder failed, or its value was invalidated since: load, with what this read saw.
    const seen = this.versionsOf(tags, again.read.tags);
    return this.orStale(key, tags, seen, again.read.generation, stale, policy, fn, self, args);
  }

  /**
   * Reads `key` again, after the lock changed hands: its fresh value (another process
   * loaded it: counted as `peer-loaded`), or the read to load with; `undefined` when the
   * store failed (reported).
   */
  async #reread(
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
  ): Promise<{ fresh: true; value: unknown } | { fresh: false; read: Read } | undefined> {
    const read = await this.#writer.read(key, tags, policy);
    if (read === undefined) return undefined;
    const record = read.record;
    if (
      record !== undefined &&
      !this.#held(key, record.tags) &&
      judge(record, read.tags, tags, this.#options.clock.now()) === Verdict.Fresh
    ) {
      this.#report.lock(key, policy, 'peer-loaded');
      return { fresh: true, value: record.value };
    }
    return { fresh: false, read };
  }

  /** The protector's lock: a lock, `undefined` when another process holds it, `null` when it could not be asked. */
  async #tryLock(key: string, policy: CallPolicy): Promise<StampedeLock | undefined | null> {
    const protector = this.#options.stampede!;
    try {
      const lock = await protector.tryLock(key);
      if (lock !== undefined) this.#report.lock(key, policy, 'acquired');
      return lock;
    } catch (error) {
      this.#report.lock(key, policy, 'unavailable');
      this.#report.emitError('lock', asCacheError(error, `${protector.name} stampede protector`), key, policy.label);
      return null;
    }
  }

  /** A load; if it fails and a stale value may stand in (`staleIfError`), that value, and the key backs off. */
  async orStale(
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
      const value = await this.run(key, tags, versions, generation, policy, fn, self, args);
      this.#backoff.succeeded(key);
      return value;
    } catch (error) {
      if (stale === undefined || !this.staleOnError(key, stale, policy)) throw error;
      this.#backoff.failed(key, this.#options.clock.now());
      this.#report.stale(key, policy, 'error', stale.invalidated);
      return stale.record.value;
    }
  }

  /** May `stale` stand in for a failed load now? Never once its key or a tag of it waits in the invalidation queue. */
  staleOnError(key: string, stale: Stale, policy: CallPolicy): boolean {
    const windowMs = policy.freshness.staleIfErrorMs;
    return (
      windowMs > 0 &&
      this.#options.clock.now() < stale.record.expiresAt + windowMs &&
      !this.#held(key, stale.record.tags)
    );
  }

  #held(key: string, tags: readonly string[]): boolean {
    return this.#queue.size !== 0 && this.#queue.holds(key, tags);
  }

  /**
   * Starts a background refresh of `key`, unless one runs, the key backs off after a
   * failure, or too many run. With a protector, only the process that takes the lock
   * refreshes; the others go on serving what they have. The refresh records the versions
   * and generation read before it, like any load, so one that began before an
   * invalidation is never written as fresh (P2).
   */
  refresh(
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
    if (this.backingOff(key)) return;
    refreshing.add(key);
    this.#report.refreshStarted(policy, early);
    const versions = this.versionsOf(tags, read.tags);
    const run = async (): Promise<void> => {
      let lock: StampedeLock | undefined | null = null;
      let ok = true;
      try {
        if (this.#options.stampede !== undefined) {
          lock = await this.#tryLock(key, policy);
          if (lock === undefined) return; // another process refreshes it
        }
        await this.run(key, tags, versions, read.generation, policy, fn, self, args);
        this.#backoff.succeeded(key);
      } catch {
        ok = false;
        this.#backoff.failed(key, this.#options.clock.now());
      } finally {
        refreshing.delete(key);
        if (lock) void lock.release();
        if (lock !== undefined) this.#report.refreshSettled(key, policy, early, ok);
      }
    };
    void run();
  }

  /** The versions an entry records, shared between entries that record the same ones. */
  versionsOf(tags: readonly string[], states: readonly TagState[]): readonly number[] {
    return this.#versions.of(tags, states);
  }

  /**
   * A load that writes nothing, as the flight for `key`: the store may not be used (the
   * breaker is open, an invalidation of the key waits in the queue). What {@link run} does
   * when it has no versions, with no promise of its own but the reaction that ends the
   * flight: during an outage every call is one of these.
   */
  uncached(key: string, policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): Promise<unknown> {
    const report = this.#report;
    report.load(policy);
    let result: unknown;
    try {
      result = loadsTraced()
        ? traceLoad(this.#options.namespace, key, policy, fn, self, args)
        : callLoader(policy, fn, self, args);
    } catch (error) {
      report.loadError(error, key, policy);
      return Promise.reject(error);
    }
    const flights = this.#flights;
    const flight = flights.begin(key);
    // The callers get the loader's own promise, one hop fewer on every call of an outage.
    // The flight ends, and a failure is counted, in reactions registered before theirs.
    const promise = result instanceof Promise ? result : Promise.resolve(result);
    flight.promise = promise;
    promise.then(
      () => flights.end(key, flight),
      (error: unknown) => {
        flights.end(key, flight);
        report.loadError(error, key, policy);
      },
    );
    return promise;
  }

  /**
   * Runs the loader and writes its result. `versions` undefined: the store was not read,
   * so nothing is written. A rejected loader is counted, emitted and rethrown.
   */
  async run(
    key: string,
    tags: readonly string[],
    versions: readonly number[] | undefined,
    generation: number | undefined,
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    this.#report.load(policy);
    const clock = this.#options.clock;
    // Where tag versions stood before the load, for tags only its result names (P2).
    const mark =
      versions !== undefined && policy.resultTagIds !== undefined
        ? await this.#writer.versionMark(key, policy)
        : undefined;
    const startedAt = clock.now();
    let value: unknown;
    try {
      const result = loadsTraced()
        ? traceLoad(this.#options.namespace, key, policy, fn, self, args)
        : callLoader(policy, fn, self, args);
      value = await result;
    } catch (error) {
      this.#report.loadError(error, key, policy);
      throw error;
    }
    if (versions === undefined || policy.unless?.(value, args)) return value;
    const delta = Math.max(0, clock.now() - startedAt);
    let ttlMs: number;
    let entryTags = tags;
    let entryVersions = versions;
    try {
      ttlMs = this.#writer.ttlOf(value, args, policy);
      if (policy.resultTagIds !== undefined) {
        if (mark === undefined) return value; // the mark could not be read: do not write
        const withResult = await this.#writer.withResultTags(value, args, tags, versions, mark, key, policy);
        if (withResult === undefined) return value;
        [entryTags, entryVersions] = withResult;
      }
    } catch (error) {
      if (error instanceof CacheOptionsError) this.#report.unusableOption(error, key, policy);
      else this.#report.storeError(error, key, policy);
      return value;
    }
    await this.#writer.write(key, value, entryTags, entryVersions, generation, policy, false, ttlMs, delta);
    return value;
  }
}
