// The circuit breaker of one cache: after `failures` store operations in a row fail or
// time out, the store is not called for `cooldown`; then one call probes it.
import type { Clock } from './clock.js';

/** Where a circuit breaker stands; `'off'` when `circuitBreaker: false`. */
export type BreakerState = 'closed' | 'open' | 'half-open' | 'off';

/** @internal The breaker's settings; `undefined` when it is off. */
export interface BreakerSettings {
  readonly failures: number;
  readonly cooldownMs: number;
}

/** @internal What the breaker tells its owner. */
export interface BreakerHooks {
  /** The state changed (never called with `'off'`). */
  changed(state: 'closed' | 'open' | 'half-open'): void;
  /** A store operation answered after one or more failed: the store is reachable again. */
  recovered(): void;
}

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;

/**
 * @internal Counts consecutive failures (also with the breaker off: a success after a
 * failure is how a cache learns the store is back). The checks on the path of an
 * operation that succeeds at once are two field reads, so a memory hit pays nothing.
 */
export class Breaker {
  readonly #settings: BreakerSettings | undefined;
  readonly #clock: Clock;
  readonly #hooks: BreakerHooks;
  #state = CLOSED;
  /** Failed operations in a row. */
  failures = 0;
  #openedAt = 0;

  constructor(settings: BreakerSettings | undefined, clock: Clock, hooks: BreakerHooks) {
    this.#settings = settings;
    this.#clock = clock;
    this.#hooks = hooks;
  }

  get state(): BreakerState {
    if (this.#settings === undefined) return 'off';
    return this.#state === CLOSED ? 'closed' : this.#state === OPEN ? 'open' : 'half-open';
  }

  /** True when the store may be called now: closed, or this call is the half-open probe. */
  admits(): boolean {
    if (this.#state === CLOSED) return true;
    if (this.#state === HALF_OPEN) return false; // a probe is out: wait for its answer
    if (this.#clock.now() < this.#openedAt + this.#settings!.cooldownMs) return false;
    this.#state = HALF_OPEN;
    this.#hooks.changed('half-open');
    return true;
  }

  /**
   * True when {@link admits} would say no, without moving to half-open: a check the call
   * path makes before it builds a store operation. Closed costs one field read.
   */
  refusing(): boolean {
    if (this.#state === CLOSED) return false;
    if (this.#state === HALF_OPEN) return true;
    return this.#clock.now() < this.#openedAt + this.#settings!.cooldownMs;
  }

  /** Milliseconds until the breaker lets a probe through (0 when it would now). */
  get remainingMs(): number {
    if (this.#state !== OPEN) return 0;
    return Math.max(0, this.#openedAt + this.#settings!.cooldownMs - this.#clock.now());
  }

  /** An operation answered. Callers check `failures !== 0 || open` first, so the usual case costs nothing. */
  succeeded(): void {
    const wasClosed = this.#state === CLOSED;
    this.failures = 0;
    this.#state = CLOSED;
    if (!wasClosed) this.#hooks.changed('closed');
    this.#hooks.recovered();
  }

  /** An operation failed or timed out. */
  failed(): void {
    this.failures++;
    const settings = this.#settings;
    if (settings === undefined) return;
    if (this.#state === HALF_OPEN || (this.#state === CLOSED && this.failures >= settings.failures)) {
      this.#state = OPEN;
      this.#openedAt = this.#clock.now();
      this.#hooks.changed('open');
    }
  }

  /** True after a failure not yet followed by a success, or while the breaker is not closed. */
  get troubled(): boolean {
    return this.failures !== 0 || this.#state !== CLOSED;
  }
}
