import { settleHeap } from '../../harness/gc.js';
import type { Peer } from '../peer.js';

export interface MemorySizeParams {
  /** Entries written, ids 1..entries; also the peer's capacity, so any up-front allocation is for exactly these. */
  entries: number;
}

/**
 * Heap growth per entry: from before the cache is created to after `entries` values are
 * cached through the peer's normal path, with the heap collected at both ends. The values
 * themselves (about 210 bytes as JSON) are included, as the raw Map row shows.
 */
export async function measureMemorySize(peer: Peer, params: MemorySizeParams): Promise<Record<string, unknown>> {
  const { entries } = params;
  await settleHeap();
  const before = process.memoryUsage();
  const subject = await peer.setup({ capacity: entries });
  for (let id = 1; id <= entries; id++) await subject.call(id);
  await settleHeap();
  const after = process.memoryUsage();

  // Every entry must still be there, or the bytes would be for fewer entries.
  const loads = subject.loads();
  if (loads !== entries) throw new Error(`writing ${entries} entries ran the loader ${loads} times`);
  for (let id = 1; id <= entries; id++) await subject.call(id);
  if (subject.loads() !== loads) throw new Error(`${subject.loads() - loads} of ${entries} entries were evicted`);
  await subject.close?.();

  return {
    heapBytesPerEntry: (after.heapUsed - before.heapUsed) / entries,
    // Typed arrays above a few dozen bytes live outside the V8 heap (lru-cache keeps its links in them).
    heapAndArrayBuffersPerEntry:
      (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / entries,
  };
}
