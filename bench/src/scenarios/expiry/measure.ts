import { quantileOfSorted } from '../../harness/stats.js';
import type { Peer } from '../peer.js';
import { type ExpirySubject, HOT_ID, LASTING_ID, LOADER_MS, type StampedUser } from './subject.js';

export interface ExpiryParams {
  /** Concurrent callers, each awaiting its calls in turn. */
  callers: number;
  /** Length of the steady load on the expiring key, in seconds. */
  seconds: number;
  /** Length of the timed reference phase (warm hits on the lasting key), in seconds. */
  referenceSeconds: number;
  redisPort: number;
}

/** Untimed calls before the reference phase: connections and code paths warm. */
const WARMUP_MS = 500;

interface Phase {
  /** Every call's latency in ms, ascending. */
  latencies: Float64Array;
  /** Calls whose value came from a load that began after they called: they waited for the loader. */
  waited: number;
}

/** Runs `callers` loops of `call` for `ms`. */
async function load(call: () => Promise<unknown>, callers: number, ms: number): Promise<Phase> {
  const latencies: number[] = [];
  let waited = 0;
  const end = performance.now() + ms;
  const caller = async (): Promise<void> => {
    for (let start = performance.now(); start < end; start = performance.now()) {
      const value = (await call()) as Partial<StampedUser> | undefined;
      latencies.push(performance.now() - start);
      if (typeof value?.id !== 'number' || typeof value.loadStartedAt !== 'number') {
        throw new Error(`a call returned ${JSON.stringify(value)}, not a stamped user`);
      }
      if (value.loadStartedAt >= start) waited++;
    }
  };
  await Promise.all(Array.from({ length: callers }, caller));
  return { latencies: Float64Array.from(latencies).sort(), waited };
}

function slowerThan(sorted: Float64Array, ms: number): number {
  let count = 0;
  for (let i = sorted.length - 1; i >= 0 && sorted[i]! >= ms; i--) count++;
  return count;
}

/**
 * A hot key with a short TTL under steady load: first the reference, `referenceSeconds` of warm
 * hits on a key that never expires, at the same concurrency; then `seconds` on the hot key.
 * Reports loader runs during the steady phase, caller latency quantiles, the calls served by a
 * load that began after they called (they waited for the loader), and the calls that took at
 * least the loader's time.
 */
export async function measureExpiry(peer: Peer<ExpirySubject>, params: ExpiryParams): Promise<Record<string, unknown>> {
  const subject = await peer.setup({ capacity: 10, redisPort: params.redisPort });
  try {
    await subject.lasting();
    await load(() => subject.lasting(), params.callers, WARMUP_MS);
    const { latencies: reference } = await load(
      () => subject.lasting(),
      params.callers,
      params.referenceSeconds * 1000,
    );
    if (subject.loadsOf(LASTING_ID) !== 1) throw new Error('the reference key was loaded again: not a pure hit path');
    // The hot key's first load, right before the steady phase: loaded earlier, it would have
    // expired during the reference phase, and the steady phase would open on a cold miss.
    await subject.expiring();
    const before = subject.loadsOf(HOT_ID);
    const { latencies: steady, waited } = await load(() => subject.expiring(), params.callers, params.seconds * 1000);
    const loads = subject.loadsOf(HOT_ID) - before;
    const q = (sorted: Float64Array, p: number): number => quantileOfSorted(sorted, p);
    const hitP50Ms = q(reference, 0.5);
    const hitP99Ms = q(reference, 0.99);
    const p99Ms = q(steady, 0.99);
    return {
      hitP50Ms,
      hitP99Ms,
      // Same-process ratios: the reference ran minutes, not rounds, apart from the steady phase.
      p99OverHitP50: p99Ms / hitP50Ms,
      p99OverHitP99: p99Ms / hitP99Ms,
      loads,
      calls: steady.length,
      p50Ms: q(steady, 0.5),
      p99Ms,
      p999Ms: q(steady, 0.999),
      maxMs: steady[steady.length - 1],
      waitedForLoad: waited,
      // Includes calls held up by something else for as long (a stalled process on a busy machine).
      slowerThanLoader: slowerThan(steady, LOADER_MS),
    };
  } finally {
    await subject.close();
  }
}
