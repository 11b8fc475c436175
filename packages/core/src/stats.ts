import type { BreakerState } from './breaker.js';

/** Counters for one method (or for the whole cache). */
export interface CacheCounters {
  /** Calls answered from the store without waiting for a load: fresh, or stale while revalidating. */
  hits: number;
  /** Calls that found no usable entry (they ran a load, joined one, or waited for another process's). */
  misses: number;
  /** Calls answered with a stale value, for any reason (the four counters below). */
  staleHits: number;
  /** Stale values served at once while a background refresh runs (`staleWhileRevalidate`). */
  staleRevalidating: number;
  /** Stale values served because the load failed, or was backing off after failing (`staleIfError`). */
  staleOnError: number;
  /** Stale values served because another process's load took longer than the protector's wait. */
  staleOnLockTimeout: number;
  /** Of the stale values served, those made stale by an `'expire'`-mode invalidation rather than by their TTL. */
  staleInvalidated: number;
  /** Background refreshes started (stale-while-revalidate and early refresh). */
  refreshes: number;
  /** Of those, started early, before the entry expired (`earlyRefresh`). */
  earlyRefreshes: number;
  /** Background refreshes whose load failed (the key then backs off). */
  refreshErrors: number;
  loads: number;
  loadErrors: number;
  /**
   * Store operations that failed or gave no answer within `storeTimeout`: reads, writes,
   * `get`, `set`, invalidations and their replays. Each is also an `error` event of kind `store`.
   */
  storeErrors: number;
  /** Of `storeErrors`, those that timed out (`storeTimeout`). */
  storeTimeouts: number;
  /**
   * Store operations not sent because the circuit breaker was open: the call failed open
   * at once (no `error` event each; the `breaker` event says when it opened).
   */
  storeFastFails: number;
  coalesced: number;
  /** Loads this process ran holding the fleet-wide lock (`stampede`). */
  locksAcquired: number;
  /** Loads this process did not run because another process held the lock: it waited instead. */
  lockWaits: number;
  /** Waits that ran out before the other process released the lock. */
  lockTimeouts: number;
  /** Waits answered by the value another process loaded. */
  peerLoads: number;
  /** Lock service failures (the load then ran without the lock). */
  lockErrors: number;
  /** Results returned to the caller but not cached because the store could not hold them (see `error` events of kind `serialize`). */
  uncacheable: number;
}

/** A snapshot of the cache's counters plus the rates. */
export interface CounterSnapshot extends Readonly<CacheCounters> {
  /** hits / (hits + misses): how often the store answered. 0 before the first lookup. */
  readonly hitRate: number;
  /**
   * (hits + coalesced) / (hits + misses): the share of calls that did not run a loader of
   * their own — answered by the store, or sharing a load another caller started. This is
   * "how much load did the cache take off the database". 0 before the first lookup.
   */
  readonly offloadRate: number;
}

/** What `cache.stats()` returns. */
export interface CacheStats extends CounterSnapshot {
  /** Where the circuit breaker stands now; `'off'` with `circuitBreaker: false`. */
  readonly circuit: BreakerState;
  /** Keys and tags whose invalidation could not reach the store yet (replayed when it answers). */
  readonly queuedInvalidations: number;
  /**
   * Per `Class.method` (or the `name` given to `wrap`/`cached`). At most `maxLabels` rows
   * (createCache option, default 1,000), plus one `'#other'` row that counts the calls of
   * every label past that cap, so names made from data cannot grow memory without bound.
   */
  readonly byMethod: Readonly<Record<string, CounterSnapshot>>;
  /**
   * Set when the offload rate is under 70% after at least 1,000 lookups: the TTL is likely
   * too short, or the working set larger than the store holds.
   */
  readonly advice?: string;
}

export const LOW_OFFLOAD_RATE = 0.7;
const ADVICE_MIN_LOOKUPS = 1_000;
/** The row that counts labels past the cap. '#' never starts a user's label. */
export const OTHER_LABEL = '#other';

export function newCounters(): CacheCounters {
  return {
    hits: 0,
    misses: 0,
    staleHits: 0,
    staleRevalidating: 0,
    staleOnError: 0,
    staleOnLockTimeout: 0,
    staleInvalidated: 0,
    refreshes: 0,
    earlyRefreshes: 0,
    refreshErrors: 0,
    loads: 0,
    loadErrors: 0,
    storeErrors: 0,
    storeTimeouts: 0,
    storeFastFails: 0,
    coalesced: 0,
    locksAcquired: 0,
    lockWaits: 0,
    lockTimeouts: 0,
    peerLoads: 0,
    lockErrors: 0,
    uncacheable: 0,
  };
}

function snapshot(counters: CacheCounters): CounterSnapshot {
  const lookups = counters.hits + counters.misses;
  return {
    ...counters,
    hitRate: lookups === 0 ? 0 : counters.hits / lookups,
    offloadRate: lookups === 0 ? 0 : (counters.hits + counters.coalesced) / lookups,
  };
}

/** Per-cache statistics: totals plus one set of counters per method label, made on first use, at most `maxLabels`. */
export class Stats {
  readonly total = newCounters();
  readonly #byLabel = new Map<string, CacheCounters>();
  readonly #maxLabels: number;

  constructor(maxLabels: number) {
    this.#maxLabels = maxLabels;
  }

  /** True when `label` has its own row, or there is still room for one. */
  hasRoomFor(label: string): boolean {
    return this.#byLabel.has(label) || this.#byLabel.size < this.#maxLabels;
  }

  /** The counters for a label (the overflow row once the cap is reached); the binding of a method keeps the result. */
  forLabel(label: string): CacheCounters {
    let counters = this.#byLabel.get(label);
    if (counters === undefined) {
      if (!this.hasRoomFor(label)) label = OTHER_LABEL;
      counters = this.#byLabel.get(label);
      if (counters === undefined) {
        counters = newCounters();
        this.#byLabel.set(label, counters);
      }
    }
    return counters;
  }

  snapshot(circuit: BreakerState, queuedInvalidations: number): CacheStats {
    const byMethod: Record<string, CounterSnapshot> = {};
    for (const [label, counters] of this.#byLabel) byMethod[label] = snapshot(counters);
    const total = snapshot(this.total);
    const lookups = total.hits + total.misses;
    if (lookups >= ADVICE_MIN_LOOKUPS && total.offloadRate < LOW_OFFLOAD_RATE) {
      const pct = (total.offloadRate * 100).toFixed(1);
      return {
        ...total,
        circuit,
        queuedInvalidations,
        byMethod,
        advice:
          `only ${pct}% of ${lookups} calls were answered without running a loader (under ${LOW_OFFLOAD_RATE * 100}%): ` +
          'the TTL may be too short, or the working set larger than the store holds (see byMethod)',
      };
    }
    return { ...total, circuit, queuedInvalidations, byMethod };
  }
}
