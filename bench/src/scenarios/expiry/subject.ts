import { setTimeout as sleep } from 'node:timers/promises';
import { makeUser, type User } from '../../harness/user.js';

/** What an expiry peer hands the measure: one key that expires under load, one that never does. */
export interface ExpirySubject {
  /** A call of the hot key, whose entry lives {@link HOT_TTL} (a 50 ms load on a miss). */
  expiring(): Promise<unknown>;
  /** A call of a key whose entry outlives the run: a plain warm hit, the reference latency. */
  lasting(): Promise<unknown>;
  /** Loader runs for user `id` so far. */
  loadsOf(id: number): number;
  close(): Promise<void>;
}

/** The hot key's TTL, as every row writes it. */
export const HOT_TTL = '1s';
/** The reference key's TTL: longer than any run. */
export const LASTING_TTL = '1h';
/** The loader's time: a sleep standing for the database query. */
export const LOADER_MS = 50;
/** The ids of the two keys (the values are user `id`). */
export const HOT_ID = 1;
export const LASTING_ID = 2;

/** A loaded value: the user, stamped with when the load that made it began. */
export interface StampedUser extends User {
  /** `performance.now()` when the load began: a caller that called before it waited for that load. */
  loadStartedAt: number;
}

/**
 * The loader of the expiry rows: sleeps {@link LOADER_MS}, counts its runs per id, and
 * stamps each value with when its load began, so the measure can tell a caller that waited
 * for a load from one that was served a value loaded before it called, whatever the latency.
 */
export class SleepingLoader {
  readonly #counts = new Map<number, number>();

  async load(id: number): Promise<StampedUser> {
    const loadStartedAt = performance.now();
    this.#counts.set(id, (this.#counts.get(id) ?? 0) + 1);
    await sleep(LOADER_MS);
    return { ...makeUser(id), loadStartedAt };
  }

  countOf(id: number): number {
    return this.#counts.get(id) ?? 0;
  }
}
