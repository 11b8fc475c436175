import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../../harness/redis-server.js';
import { max, median, min } from '../../harness/stats.js';
import type { Peer } from '../peer.js';
import { commandsProcessed } from '../tiered-hit/measure.js';
import { METHODS, type Method } from './methods.js';
import type { OutageSubject } from './subject.js';

export interface TieredOutageParams {
  /** 0: pause Redis (SIGSTOP, connections stay open); 1: kill it (SIGKILL). */
  kill: number;
  /** Distinct ids each cached method is called with, warm in L1 before the fault. */
  keys: number;
  /** Alternating rounds per method: the method alone, then through the cache (or the other way round). */
  pairs: number;
  /** About how long each timed window lasts. */
  windowMs: number;
}

/** The longest the cache may take to reach its outage state (bus down, breaker open) after the fault. */
const SETTLE_DEADLINE_MS = 20_000;

async function elapsedMs(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await call(i);
  return performance.now() - start;
}

/**
 * After the fault: calls the cheapest cached method over the warm ids until the breaker is
 * open and a whole pass ran the method for every id (no L1 copy is served any more: the
 * open breaker keeps the cache off the whole tiered store). Returns how long that took, the
 * slowest call, and how many calls were still answered from L1 meanwhile.
 */
async function settle(
  subject: OutageSubject,
  keys: number,
): Promise<{ settleMs: number; slowestCallMs: number; servedFromL1: number }> {
  const call = subject.cached(METHODS[0]!.id);
  const start = performance.now();
  const runsBefore = subject.runs();
  let calls = 0;
  let slowestCallMs = 0;
  for (;;) {
    // Yield once a pass, as a service whose calls come from sockets does: a loop of L1 hits
    // is all microtasks, and would never let the bus see its connection close.
    await new Promise((resolve) => setImmediate(resolve));
    const runs = subject.runs();
    for (let id = 1; id <= keys; id++) {
      const t = performance.now();
      await call(id);
      calls++;
      slowestCallMs = Math.max(slowestCallMs, performance.now() - t);
    }
    if (subject.circuit() === 'open' && subject.runs() - runs === keys) break;
    if (performance.now() - start > SETTLE_DEADLINE_MS) {
      throw new Error(`${SETTLE_DEADLINE_MS} ms after the fault the breaker is ${subject.circuit()}`);
    }
  }
  return { settleMs: performance.now() - start, slowestCallMs, servedFromL1: calls - (subject.runs() - runsBefore) };
}

/** One method: alternating windows alone and through the cache; rates in calls per second. */
async function compare(method: Method, cached: Method, keys: number, params: TieredOutageParams) {
  const alone = (i: number) => method((i % keys) + 1);
  const through = (i: number) => cached((i % keys) + 1);
  // Calls per window, from a short run of the method alone.
  const probeCalls = 200;
  const calls = Math.max(probeCalls, Math.round((probeCalls / (await elapsedMs(probeCalls, alone))) * params.windowMs));
  const ratios: number[] = [];
  const uncached: number[] = [];
  const served: number[] = [];
  let aloneMs = 0;
  let throughMs = 0;
  for (let round = 0; round < params.pairs; round++) {
    // Alternate which side goes first, so neither always follows the other.
    const first = round % 2 === 0 ? alone : through;
    const second = round % 2 === 0 ? through : alone;
    const a = await elapsedMs(calls, first);
    const b = await elapsedMs(calls, second);
    const [msAlone, msThrough] = round % 2 === 0 ? [a, b] : [b, a];
    aloneMs += msAlone;
    throughMs += msThrough;
    uncached.push((calls / msAlone) * 1000);
    served.push((calls / msThrough) * 1000);
    ratios.push(msAlone / msThrough);
  }
  return {
    uncachedPerSec: median(uncached),
    servedPerSec: median(served),
    ratio: median(ratios),
    ratioMin: min(ratios),
    ratioMax: max(ratios),
    // Whole windows pooled: includes any half-open probe that waited `storeTimeout`.
    pooledRatio: aloneMs / throughMs,
    callsPerWindow: calls,
  };
}

/**
 * Calls per second a tiered cache serves while its Redis is paused or killed, as a ratio of
 * the uncached method's own rate, for methods of several costs. Starts its own
 * redis-server (it pauses or kills it), warms every method's ids into L1, injects the
 * fault, waits for the outage state (bus down, breaker open: {@link settle}), then times.
 */
export async function measureTieredOutage(
  peer: Peer<OutageSubject>,
  params: TieredOutageParams,
): Promise<Record<string, unknown>> {
  const redis = await startPrivateRedis();
  let subject: OutageSubject | undefined;
  try {
    // L1 holds every method's ids with room to spare: an LRU cycling through more would miss every time.
    subject = await peer.setup({ capacity: params.keys * METHODS.length * 2, redisPort: redis.port });
    for (const { id } of METHODS) {
      const cached = subject.cached(id);
      for (let pass = 0; pass < 2; pass++) for (let key = 1; key <= params.keys; key++) await cached(key);
    }
    // Checked: a pass over every method's ids runs no method and sends (next to) nothing to Redis.
    const admin = new Redis({ host: '127.0.0.1', port: redis.port });
    const commandsBefore = await commandsProcessed(admin);
    const runsBeforeFault = subject.runs();
    for (const { id } of METHODS) for (let key = 1; key <= params.keys; key++) await subject.cached(id)(key);
    const warmCommands = (await commandsProcessed(admin)) - commandsBefore - 1;
    admin.disconnect();
    if (subject.runs() !== runsBeforeFault || warmCommands * 100 > params.keys * METHODS.length) {
      throw new Error(
        `not L1 hits before the fault: ${subject.runs() - runsBeforeFault} method runs, ${warmCommands} Redis commands`,
      );
    }
    redis.signal(params.kill === 1 ? 'SIGKILL' : 'SIGSTOP');
    const transition = await settle(subject, params.keys);
    const methods = [];
    for (const { id, label, method } of METHODS) {
      methods.push({ id, label, ...(await compare(method, subject.cached(id), params.keys, params)) });
    }
    return {
      fault: params.kill === 1 ? 'killed' : 'paused',
      settleMs: transition.settleMs,
      settleSlowestCallMs: transition.slowestCallMs,
      settleServedFromL1: transition.servedFromL1,
      circuitAfter: subject.circuit(),
      minRatio: Math.min(...methods.map((m) => m.ratio)),
      methods,
    };
  } finally {
    await subject?.close();
    await redis.stop();
  }
}
