/** Messages between the stampede coordinator and its worker processes (over the IPC channel). */

/** Coordinator → worker. */
export type ToWorker =
  /** Start `callers` concurrent calls of the cold key `id` now. */
  | { type: 'go'; id: number }
  /** Close the peer and exit. */
  | { type: 'close' };

/** Worker → coordinator. Times are absolute ({@link wallClockMs}), so processes can be compared. */
export type FromWorker =
  /** Set up and connected: waiting at the barrier for a go. */
  | { type: 'ready' }
  | {
      type: 'done';
      id: number;
      /** When the go arrived. */
      receivedAt: number;
      /** When the last caller of this process had its value (or its error). */
      lastAt: number;
      /** Callers that got a value other than user `id`. */
      wrong: number;
      /** Callers that got an error, and the first message. */
      errors: number;
      firstError?: string;
    }
  /** Setup failed; `unavailable` when the peer cannot run here (its row is skipped). */
  | { type: 'failed'; reason: string; unavailable: boolean };

/**
 * Milliseconds since the epoch at sub-millisecond resolution. Every process derives it from
 * the same system clock (its time origin) plus its monotonic clock, so the coordinator can
 * take a worker's timestamps against its own.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
