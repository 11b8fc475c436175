import type { Method } from './methods.js';

/** What the outage scenario drives: the cached form of each method, and the breaker's state. */
export interface OutageSubject {
  /** The cached form of the method `id` (an id of METHODS). */
  cached(id: string): Method;
  /** How many times the cached forms ran their method (a miss, or a call the store could not serve). */
  runs(): number;
  /** The circuit breaker's state, as `stats().circuit` reports it. */
  circuit(): string;
  close(): Promise<void>;
}
