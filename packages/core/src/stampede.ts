/**
 * The stampede-protector contract: how the caches of a fleet let one process load a cold
 * key while the others wait for its value. `redlockProtector()` from `@cachewise/redis`
 * implements it; any lock service can.
 *
 * The lock is for efficiency only. Core never relies on it for freshness (P2 holds
 * without it), so a protector may be wrong now and then (a lock lost to a pause, two
 * holders after a failover): the cost is one extra load, never a stale value.
 */
import type { MaybePromise, StoreReporter } from './store.js';

/** A lock held by this process on one key. */
export interface StampedeLock {
  /**
   * Releases the lock and tells the processes waiting on it (they then read the store).
   * Called once, after the loader settled (its value written or not). Never rejects:
   * a failure to release ends with the lock's own expiry.
   */
  release(): Promise<void>;
}

export interface StampedeProtector {
  /** For errors and events, e.g. `'redlock'`. */
  readonly name: string;
  /**
   * Tries once, without waiting, to become the one process that loads `key` (a storage
   * key, namespaced by the cache). Resolves the lock when this process won, `undefined`
   * when another holds it. Rejects when the lock service cannot be reached: core then
   * loads without it (in-process single flight still holds) and reports the error.
   * A protector extends a lock it handed out until `release()`, however slow the loader.
   */
  tryLock(key: string): Promise<StampedeLock | undefined>;
  /**
   * Waits until the lock on `key` is released, or is found free, bounded by the
   * protector's own wait. Resolves `true` when released (the holder's value, if it got
   * one, is then in the store), `false` when the wait ran out. Never rejects.
   */
  waitForRelease(key: string): Promise<boolean>;
  /** Optional: as `Store.attach`, where the protector reports what it finds outside calls. */
  attach?(reporter: StoreReporter): () => void;
  /** Releases what the protector created (never a client the user passed in). */
  close?(): MaybePromise<void>;
}

/** True for an object that implements {@link StampedeProtector}. */
export function isStampedeProtector(value: unknown): value is StampedeProtector {
  if (typeof value !== 'object' || value === null) return false;
  const protector = value as Record<string, unknown>;
  return (
    typeof protector.name === 'string' &&
    typeof protector.tryLock === 'function' &&
    typeof protector.waitForRelease === 'function'
  );
}
