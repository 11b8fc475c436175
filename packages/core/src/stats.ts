/** Counters for one method (or for the whole cache). */
export interface CacheCounters {
  hits: number;
  misses: number;
  staleHits: number;
  loads: number;
  loadErrors: number;
  storeErrors: number;
  coalesced: number;
  lockWaits: number;
}

/** A snapshot of {@link CacheCounters} plus the hit rate. */
export interface CounterSnapshot extends Readonly<CacheCounters> {
  /** hits / (hits + misses); 0 before the first lookup. */
  readonly hitRate: number;
}

/** What `cache.stats()` returns. */
export interface CacheStats extends CounterSnapshot {
  /** Per `Class.method` (or the `name` given to `wrap`/`cached`). */
  readonly byMethod: Readonly<Record<string, CounterSnapshot>>;
  /**
   * Set when the hit rate is under 70% after at least 1,000 lookups: the TTL is likely
   * too short, or the working set larger than the store holds.
   */
  readonly advice?: string;
}

export const LOW_HIT_RATE = 0.7;
const ADVICE_MIN_LOOKUPS = 1_000;

export function newCounters(): CacheCounters {
  return { hits: 0, misses: 0, staleHits: 0, loads: 0, loadErrors: 0, storeErrors: 0, coalesced: 0, lockWaits: 0 };
}

function snapshot(counters: CacheCounters): CounterSnapshot {
  const lookups = counters.hits + counters.misses;
  return { ...counters, hitRate: lookups === 0 ? 0 : counters.hits / lookups };
}

/** Per-cache statistics: totals plus one set of counters per method label, made on first use. */
export class Stats {
  readonly total = newCounters();
  readonly #byLabel = new Map<string, CacheCounters>();

  /** The counters for a label; the binding of a method keeps the result. */
  forLabel(label: string): CacheCounters {
    let counters = this.#byLabel.get(label);
    if (counters === undefined) {
      counters = newCounters();
      this.#byLabel.set(label, counters);
    }
    return counters;
  }

  snapshot(): CacheStats {
    const byMethod: Record<string, CounterSnapshot> = {};
    for (const [label, counters] of this.#byLabel) byMethod[label] = snapshot(counters);
    const total = snapshot(this.total);
    const lookups = total.hits + total.misses;
    if (lookups >= ADVICE_MIN_LOOKUPS && total.hitRate < LOW_HIT_RATE) {
      const pct = (total.hitRate * 100).toFixed(1);
      return {
        ...total,
        byMethod,
        advice:
          `hit rate is ${pct}% over ${lookups} lookups (under ${LOW_HIT_RATE * 100}%): ` +
          'the TTL may be too short, or the working set larger than the store holds (see byMethod)',
      };
    }
    return { ...total, byMethod };
  }
}
