// The counters and events of one cache: every outcome of a call is told here, once.
import { CacheError, StoreError, withoutArguments } from './errors.js';
import type { CacheErrorKind, Emitter, LockOutcome, StaleReason } from './events.js';
import type { CallPolicy } from './policy.js';
import type { Stats } from './stats.js';
import { type CacheLogger, warnUncacheable, warnUnusableOption } from './warnings.js';

/**
 * @internal Counts each outcome in the method's counters and the totals, and emits its
 * event only when someone listens (`has`), so the hit path builds no event object.
 */
export class Reporter {
  readonly #stats: Stats;
  readonly #events: Emitter;
  readonly #storeName: string;
  readonly #logger: CacheLogger | undefined;

  constructor(stats: Stats, events: Emitter, storeName: string, logger: CacheLogger | undefined) {
    this.#stats = stats;
    this.#events = events;
    this.#storeName = storeName;
    this.#logger = logger;
  }

  hit(key: string, policy: CallPolicy): void {
    policy.counters.hits++;
    this.#stats.total.hits++;
    if (this.#events.hitWatched) this.#events.emit('hit', { key, label: policy.label });
  }

  miss(key: string, policy: CallPolicy): void {
    policy.counters.misses++;
    this.#stats.total.misses++;
    if (this.#events.has('miss')) this.#events.emit('miss', { key, label: policy.label });
  }

  /** A caller that shares a load already running for its key: a miss, and coalesced. */
  coalesced(key: string, policy: CallPolicy): void {
    this.miss(key, policy);
    policy.counters.coalesced++;
    this.#stats.total.coalesced++;
  }

  load(policy: CallPolicy): void {
    policy.counters.loads++;
    this.#stats.total.loads++;
  }

  loadError(error: unknown, key: string, policy: CallPolicy): void {
    policy.counters.loadErrors++;
    this.#stats.total.loadErrors++;
    this.emitError('load', error, key, policy.label);
  }

  /** A stale value served. One that answers at once while revalidating is also a hit. */
  stale(key: string, policy: CallPolicy, reason: StaleReason, invalidated: boolean): void {
    const counters = policy.counters;
    const total = this.#stats.total;
    counters.staleHits++;
    total.staleHits++;
    if (reason === 'revalidating') {
      counters.hits++;
      total.hits++;
      counters.staleRevalidating++;
      total.staleRevalidating++;
    } else if (reason === 'error') {
      counters.staleOnError++;
      total.staleOnError++;
    } else {
      counters.staleOnLockTimeout++;
      total.staleOnLockTimeout++;
    }
    if (invalidated) {
      counters.staleInvalidated++;
      total.staleInvalidated++;
    }
    if (this.#events.has('stale')) this.#events.emit('stale', { key, label: policy.label, reason, invalidated });
  }

  refreshStarted(policy: CallPolicy, early: boolean): void {
    policy.counters.refreshes++;
    this.#stats.total.refreshes++;
    if (early) {
      policy.counters.earlyRefreshes++;
      this.#stats.total.earlyRefreshes++;
    }
  }

  refreshSettled(key: string, policy: CallPolicy, early: boolean, ok: boolean): void {
    if (!ok) {
      policy.counters.refreshErrors++;
      this.#stats.total.refreshErrors++;
    }
    if (this.#events.has('refresh')) this.#events.emit('refresh', { key, label: policy.label, early, ok });
  }

  lock(key: string, policy: CallPolicy, outcome: LockOutcome): void {
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

  /** A load's result the store cannot hold: returned, not cached, counted, and said once per method. */
  uncacheable(error: CacheError, policy: CallPolicy): void {
    policy.counters.uncacheable++;
    this.#stats.total.uncacheable++;
    warnUncacheable(policy.label, this.#storeName, error, this.#logger);
  }

  /** A `ttl` or `resultTags` function gave an unusable answer: the value is returned, not cached. */
  unusableOption(error: Error, key: string, policy: CallPolicy): void {
    this.emitError('options', error, key, policy.label);
    policy.counters.uncacheable++;
    this.#stats.total.uncacheable++;
    warnUnusableOption(policy.label, error, this.#logger);
  }

  /**
   * A store operation that did not answer. One the breaker kept from being sent is only
   * counted (`storeFastFails`): during an outage that is every call, and the `breaker`
   * event already said so. A timeout counts in `storeErrors` and `storeTimeouts`.
   */
  storeError(error: unknown, key: string | undefined, policy: CallPolicy | undefined): void {
    const reason = error instanceof StoreError ? error.reason : 'failed';
    const total = this.#stats.total;
    if (reason === 'circuit-open') {
      if (policy !== undefined) policy.counters.storeFastFails++;
      total.storeFastFails++;
      return;
    }
    if (policy !== undefined) policy.counters.storeErrors++;
    total.storeErrors++;
    if (reason === 'timeout') {
      if (policy !== undefined) policy.counters.storeTimeouts++;
      total.storeTimeouts++;
    }
    this.emitError('store', asCacheError(error, `${this.#storeName} store`), key, policy?.label);
  }

  /** A read the open breaker kept from being sent (counted as `storeError` counts one). */
  fastFail(policy: CallPolicy): void {
    policy.counters.storeFastFails++;
    this.#stats.total.storeFastFails++;
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

  set(key: string, policy: CallPolicy, ttlMs: number): void {
    if (this.#events.has('set')) this.#events.emit('set', { key, label: policy.label, ttlMs });
  }
}

/** A failure of `what` as a CacheError (a StoreError around anything else, arguments removed). */
export function asCacheError(error: unknown, what: string): CacheError {
  if (error instanceof CacheError) return error;
  return new StoreError(`${what} failed: ${(error as Error | undefined)?.message ?? String(error)}`, {
    cause: withoutArguments(error),
  });
}
