import { requireGc } from '../../harness/gc.js';
import { median } from '../../harness/stats.js';
import { assertNoLoads, timedCalls, warm } from '../hits.js';
import type { Peer } from '../peer.js';

export interface MemoryHitParams {
  /** Distinct warm ids, 1..keys. */
  keys: number;
  /** Sequential awaited calls per pass. */
  ops: number;
  /** Timed passes after one untimed warm-up pass; the process reports their median. */
  passes: number;
  /** Capacity given to the peer, at least `keys` so nothing is evicted. */
  capacity: number;
}

/** Times the warm hit path: `ops` sequential awaits per pass, median ns per call. */
export async function measureMemoryHit(peer: Peer, params: MemoryHitParams): Promise<Record<string, unknown>> {
  const gc = requireGc();
  if (params.capacity < params.keys) {
    throw new RangeError(
      `capacity (${params.capacity}) must be at least keys (${params.keys}), or the timed phase would not be hits only`,
    );
  }
  const subject = await peer.setup({ capacity: params.capacity });
  try {
    const loads = await warm(subject, params.keys);
    if (loads !== params.keys) throw new Error(`warming ${params.keys} keys ran the loader ${loads} times`);
    await timedCalls(subject, params.ops, params.keys, 1); // lets the JIT settle; not counted
    const nsPerOp: number[] = [];
    for (let pass = 0; pass < params.passes; pass++) {
      gc(); // no pass pays for the previous one's garbage
      nsPerOp.push((await timedCalls(subject, params.ops, params.keys, 1)) / params.ops);
    }
    assertNoLoads(subject, loads, 'the timed passes');
    return { nsPerOp: median(nsPerOp), passNsPerOp: nsPerOp.map((n) => Math.round(n * 10) / 10) };
  } finally {
    await subject.close?.();
  }
}
