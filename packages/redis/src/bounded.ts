/** What {@link withDeadline} resolves when the promise did not settle in time. */
export const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Races `promise` against a timer of `ms`: its value, its rejection, or {@link TIMED_OUT}.
 * The promise goes on; a caller that must undo its late effect (a lock granted after we
 * gave up) chains that on the promise itself.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(resolve, ms, TIMED_OUT);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** An Error with the name and message of `error` only: ioredis errors can carry a command's arguments. */
export function bareError(error: unknown): Error {
  return error instanceof Error
    ? Object.assign(new Error(error.message), { name: error.name })
    : new Error(String(error));
}
