import { median } from '../../harness/stats.js';
import { assertNoLoads, timedCalls, warm } from '../hits.js';
import type { Peer } from '../peer.js';

export interface RedisHitParams {
  keys: number;
  /** Calls per timed pass, spread over `concurrency` workers. */
  ops: number;
  passes: number;
  /** Workers, each awaiting its calls in turn. */
  concurrency: number;
  /** Port of the private redis-server the orchestrator started. */
  redisPort: number;
}

/** Times warm Redis hits at a given concurrency; reports the median pass's ops/s. */
export async function measureRedisHit(peer: Peer, params: RedisHitParams): Promise<Record<string, unknown>> {
  const subject = await peer.setup({ capacity: params.keys * 2, redisPort: params.redisPort });
  try {
    const loads = await warm(subject, params.keys);
    await timedCalls(subject, Math.min(params.ops, 2_000), params.keys, params.concurrency); // connection and JIT warm-up
    const opsPerSec: number[] = [];
    for (let pass = 0; pass < params.passes; pass++) {
      opsPerSec.push(params.ops / ((await timedCalls(subject, params.ops, params.keys, params.concurrency)) / 1e9));
    }
    assertNoLoads(subject, loads, 'the timed passes');
    return { opsPerSec: median(opsPerSec), passOpsPerSec: opsPerSec.map(Math.round) };
  } finally {
    await subject.close?.();
  }
}
