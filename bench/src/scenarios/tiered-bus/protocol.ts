/** Messages between the tiered-bus coordinator (the measuring process) and its subscriber process. */

/** Coordinator → subscriber. */
export type ToSubscriber = { type: 'check' };

/** Subscriber → coordinator. */
export type FromSubscriber =
  /** Warm: every key is an L1 hit (checked), and the bus is subscribed. */
  | { type: 'ready'; warmRedisCommands: number }
  /**
   * Every invalidation arrived: for each bus message in order, when its L1 drop was done
   * (process.hrtime in µs, CLOCK_MONOTONIC, shared by the processes of one machine) and the
   * first tag id it named; `downs` counts subscription drops (a valid run has none).
   */
  | { type: 'done'; droppedAtUs: number[]; tags: string[]; downs: number }
  /** After a pass over every key: how many ran the loader again (each must, its tag was invalidated). */
  | { type: 'checked'; reloads: number };

/** The monotonic clock in µs, comparable between processes of one machine. */
export const monotonicUs = (): number => Number(process.hrtime.bigint() / 1_000n);
