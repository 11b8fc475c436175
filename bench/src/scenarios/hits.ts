import type { Subject } from './peer.js';

/** Calls `id` = 1..keys once each, so every later call is a hit; returns the loads it took. */
export async function warm(subject: Subject, keys: number): Promise<number> {
  for (let id = 1; id <= keys; id++) await subject.call(id);
  const sample = (await subject.call(7)) as { id?: unknown } | undefined;
  if (sample?.id !== 7) throw new Error(`call(7) returned ${JSON.stringify(sample)}, not user 7`);
  return subject.loads();
}

/**
 * Runs `ops` calls over ids 1..keys from `concurrency` workers, each awaiting its calls in
 * turn; returns the elapsed nanoseconds.
 */
export async function timedCalls(subject: Subject, ops: number, keys: number, concurrency: number): Promise<number> {
  const start = process.hrtime.bigint();
  if (concurrency === 1) {
    for (let i = 0; i < ops; i++) await subject.call((i % keys) + 1);
  } else {
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < ops; i = next++) await subject.call((i % keys) + 1);
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  return Number(process.hrtime.bigint() - start);
}

/** Throws unless the loader stayed still: a timed phase must be hits only. */
export function assertNoLoads(subject: Subject, before: number, phase: string): void {
  const after = subject.loads();
  if (after !== before) throw new Error(`the loader ran ${after - before} times during ${phase}: not a pure hit path`);
}
