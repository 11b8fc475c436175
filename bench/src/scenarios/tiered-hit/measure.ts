import { Redis } from 'ioredis';
import { requireGc } from '../../harness/gc.js';
import { median } from '../../harness/stats.js';
import { assertNoLoads, timedCalls, warm } from '../hits.js';
import type { Peer } from '../peer.js';

export interface TieredHitParams {
  /** Distinct warm ids, 1..keys. */
  keys: number;
  /** Sequential awaited calls per pass. */
  ops: number;
  /** Timed passes after one untimed pass; the process reports their median. */
  passes: number;
  /** L1 capacity given to the peer, at least `keys`. */
  capacity: number;
  /** Port of the private redis-server (L2 and bus); the in-memory baselines ignore it. */
  redisPort: number;
}

/** At most one Redis command per this many timed calls: the rest must be L1 hits. */
const CALLS_PER_REDIS_COMMAND = 1_000;

/** Commands the private server has processed so far, from `INFO stats`. */
export async function commandsProcessed(admin: Redis): Promise<number> {
  const match = /total_commands_processed:(\d+)/.exec(await admin.info('stats'));
  if (match === null) throw new Error('INFO stats has no total_commands_processed');
  return Number(match[1]);
}

/**
 * Times the warm L1-hit path of a tiered cache: `ops` sequential awaits per pass, median ns
 * per call. Proves the timed calls were L1 hits: the loader did not run, and the Redis
 * server processed fewer than one command per {@link CALLS_PER_REDIS_COMMAND} calls (a
 * bus heartbeat may fall in the window; an L2 read per call would be thousands).
 */
export async function measureTieredHit(peer: Peer, params: TieredHitParams): Promise<Record<string, unknown>> {
  const gc = requireGc();
  if (params.capacity < params.keys) {
    throw new RangeError(`capacity (${params.capacity}) must be at least keys (${params.keys})`);
  }
  const subject = await peer.setup({ capacity: params.capacity, redisPort: params.redisPort });
  const admin = new Redis({ host: '127.0.0.1', port: params.redisPort, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    const loads = await warm(subject, params.keys);
    if (loads !== params.keys) throw new Error(`warming ${params.keys} keys ran the loader ${loads} times`);
    // Untimed: copies L2 entries into L1 where a load's write did not, and lets the JIT settle.
    await timedCalls(subject, params.ops, params.keys, 1);
    const before = await commandsProcessed(admin);
    const nsPerOp: number[] = [];
    for (let pass = 0; pass < params.passes; pass++) {
      gc();
      nsPerOp.push((await timedCalls(subject, params.ops, params.keys, 1)) / params.ops);
    }
    // Minus the INFO that read `before` (counted once it ran).
    const redisCommands = (await commandsProcessed(admin)) - before - 1;
    assertNoLoads(subject, loads, 'the timed passes');
    const calls = params.ops * params.passes;
    if (redisCommands * CALLS_PER_REDIS_COMMAND > calls) {
      throw new Error(`Redis processed ${redisCommands} commands during ${calls} timed calls: not an L1-hit path`);
    }
    return { nsPerOp: median(nsPerOp), passNsPerOp: nsPerOp.map((n) => Math.round(n * 10) / 10), redisCommands };
  } finally {
    admin.disconnect();
    await subject.close?.();
  }
}
