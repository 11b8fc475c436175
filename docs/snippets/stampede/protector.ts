// The contract as the guide prints it; the checks below fail the type check if it and
// the exported types drift apart.
import type { StampedeProtector as Exported, StampedeLock as ExportedLock } from '@cachewise/core';
import type { StoreReporter } from '@cachewise/core/store';

// #region protector
interface StampedeProtector {
  readonly name: string;
  /** One attempt, no waiting: a lock, or undefined when another process holds it. Rejects when unreachable. */
  tryLock(key: string): Promise<StampedeLock | undefined>;
  /** Until the lock is released (true) or the protector's own wait runs out (false). Never rejects. */
  waitForRelease(key: string): Promise<boolean>;
  attach?(reporter: StoreReporter): () => void; // where it reports failures found outside calls
  close?(): void | Promise<void>; // called with the last cache that uses it
}
interface StampedeLock {
  release(): Promise<void>; // after the load settled; never rejects
}
// #endregion protector

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const protectorMatches: Same<StampedeProtector, Exported> = true;
export const lockMatches: Same<StampedeLock, ExportedLock> = true;
