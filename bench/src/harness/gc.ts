/** The `gc` function of `node --expose-gc`; throws if the process was started without it. */
export function requireGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') throw new Error('run under `node --expose-gc`: this scenario needs gc()');
  return gc;
}

/** Collects garbage until the heap settles, letting pending callbacks and finalizers run in between. */
export async function settleHeap(): Promise<void> {
  const gc = requireGc();
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
