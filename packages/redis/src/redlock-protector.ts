/**
 * `redlockProtector()`: the stampede protector over Redis, built on the `redlock` package
 * (5.0.0-beta.2; see docs/stampede.md for why that release). One process of the fleet
 * takes a key's lock and loads; the others wait for its release notice, then read the
 * store. The lock is for efficiency only: a lock lost or doubled costs one extra load.
 */
import type { StampedeLock } from '@cachewise/core';
import { StoreError } from '@cachewise/core';
import type { StoreReporter } from '@cachewise/core/store';
import type { Redis } from 'ioredis';
import RedlockClient, { type ExecutionError, type Lock, type Settings } from 'redlock';
import { bareError, TIMED_OUT, withDeadline } from './bounded.js';
import {
  type RedlockProtector,
  type RedlockProtectorOptions,
  type ResolvedRedlockOptions,
  resolveRedlockOptions,
} from './redlock-options.js';
import { ReleaseNotices, usesShardedPubSub } from './release-notice.js';

/**
 * redlock's release, plus a notice to waiters in the same script (atomic, one round trip).
 * `pcall`: a node refusing the notice (an ACL without channel rights) must not fail the release.
 */
function releaseScript(publish: 'publish' | 'spublish'): string {
  return `
  local count = 0
  for i, key in ipairs(KEYS) do
    if redis.call("get", key) == ARGV[1] then
      redis.pcall("del", key)
      redis.pcall("${publish}", key, "released")
      count = count + 1
    end
  end
  return count
`;
}

/** One attempt, no retries: a loser waits for the release notice instead of retrying. */
const ONE_ATTEMPT: Partial<Settings> = { retryCount: 0 };

/**
 * A stampede protector for `createCache({ stampede })`: across every process sharing the
 * Redis, one loads a cold key while the others wait (up to `wait`) for its value.
 *
 * @example
 * const cache = createCache({
 *   store: redisStore({ client }),
 *   stampede: redlockProtector({ client, lockTtl: '5s', wait: '2s' }),
 * });
 */
export function redlockProtector(options: RedlockProtectorOptions): RedlockProtector {
  // Typed as the interface, not the class: no declaration file of this package may name
  // redlock's types (they do not resolve in a consumer without our workspace patch).
  return new RedlockStampedeProtector(resolveRedlockOptions(options));
}

/** What a held lock needs from its protector. */
interface LockContext {
  readonly redlock: RedlockClient;
  readonly lockTtlMs: number;
  readonly waitMs: number;
  report(error: Error, key: string): void;
  forget(held: HeldLock): void;
}

class RedlockStampedeProtector implements RedlockProtector {
  readonly name = 'redlock' as const;
  readonly #options: ResolvedRedlockOptions;
  readonly #redlock: RedlockClient;
  readonly #notices: ReleaseNotices;
  readonly #reporters = new Set<StoreReporter>();
  readonly #held = new Set<HeldLock>();
  readonly #context: LockContext;
  #closed = false;

  constructor(options: ResolvedRedlockOptions) {
    this.#options = options;
    const publish = usesShardedPubSub(options.clients) ? 'spublish' : 'publish';
    // redlock's types name ioredis 5's classes; ioredis 6's have the same surface it uses.
    // A function: redlock 5.0.0-beta.2 ignores a script given as a string.
    this.#redlock = new RedlockClient(options.clients as ReadonlyArray<Redis>, ONE_ATTEMPT, {
      releaseScript: () => releaseScript(publish),
    });
    this.#notices = new ReleaseNotices(options.clients, (error) => this.#report(error));
    this.#context = {
      redlock: this.#redlock,
      lockTtlMs: options.lockTtlMs,
      waitMs: options.waitMs,
      report: (error, key) => this.#report(error, key),
      forget: (held) => this.#held.delete(held),
    };
  }

  async tryLock(key: string): Promise<StampedeLock | undefined> {
    if (this.#closed) throw new StoreError(`redlock: the protector is closed; no lock taken on '${key}'`);
    const lockKey = this.#options.prefix + key;
    const { lockTtlMs, waitMs } = this.#options;
    const started = Date.now();
    const attempt = this.#redlock.acquire([lockKey], lockTtlMs, ONE_ATTEMPT);
    const outcome = await withDeadline(
      attempt.then(
        (lock) => ({ lock }),
        (error: unknown) => ({ error }),
      ),
      waitMs,
    );
    if (outcome === TIMED_OUT) {
      // A lock granted after we gave up would block everyone until it expires: release it.
      attempt.then((lock) => this.#redlock.release(lock, ONE_ATTEMPT)).catch(() => {});
      throw new StoreError(`redlock: no answer from Redis within wait (${waitMs} ms) when locking '${key}'`);
    }
    if ('lock' in outcome) {
      if (this.#closed) {
        this.#redlock.release(outcome.lock, ONE_ATTEMPT).catch(() => {});
        throw new StoreError(`redlock: the protector closed while locking '${key}'`);
      }
      const held = new HeldLock(this.#context, outcome.lock, key);
      this.#held.add(held);
      return held;
    }
    const verdict = await this.#heldByAnother(outcome.error, waitMs - (Date.now() - started));
    if (verdict === true) return undefined;
    throw new StoreError(`redlock: could not lock '${key}': ${verdict.message}`, { cause: verdict });
  }

  async waitForRelease(key: string): Promise<boolean> {
    if (this.#closed) return false;
    return this.#notices.wait(this.#options.prefix + key, this.#options.waitMs);
  }

  attach(reporter: StoreReporter): () => void {
    this.#reporters.add(reporter);
    return () => {
      this.#reporters.delete(reporter);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#notices.close();
    await Promise.all([...this.#held].map((held) => held.release()));
  }

  /** Background failures go to the attached reporters; never thrown. */
  #report(error: Error, key?: string): void {
    for (const reporter of this.#reporters) {
      try {
        reporter.error(error, key);
      } catch {
        // A failing reporter must not break the lock's timers.
      }
    }
  }

  /**
   * After a failed attempt: `true` when other holders leave no majority to win (the lock
   * is taken), else the error that kept us from a majority (a node down or slow).
   */
  async #heldByAnother(error: unknown, budgetMs: number): Promise<true | Error> {
    const attempts = (error as Partial<ExecutionError>).attempts;
    const last = attempts?.[attempts.length - 1];
    if (last === undefined) return bareError(error);
    // The stats settle once every node answered: bounded, for a node that hangs.
    const stats = await withDeadline(last, Math.max(1, budgetMs));
    if (stats === TIMED_OUT) return new Error(`not every Redis node answered within wait (${this.#options.waitMs} ms)`);
    let locked = 0;
    let other: Error | undefined;
    for (const vote of stats.votesAgainst.values()) {
      if (vote.name === 'ResourceLockedError') locked++;
      else other ??= bareError(vote);
    }
    if (stats.membershipSize - locked < stats.quorumSize) return true;
    return other ?? new Error('no majority of Redis nodes granted the lock');
  }
}

/** A lock this process holds: extended every lockTtl / 2 until released. */
class HeldLock implements StampedeLock {
  readonly #context: LockContext;
  readonly #key: string;
  #lock: Lock;
  #timer: NodeJS.Timeout | undefined;
  #released = false;

  constructor(context: LockContext, lock: Lock, key: string) {
    this.#context = context;
    this.#lock = lock;
    this.#key = key;
    this.#schedule();
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    clearTimeout(this.#timer);
    const { redlock, waitMs, forget } = this.#context;
    forget(this);
    try {
      // Not our lock any more (expired, taken over) also lands here: nothing to release.
      await withDeadline(redlock.release(this.#lock, ONE_ATTEMPT), waitMs);
    } catch {
      // Never rejects: an unreleased lock ends with its own expiry.
    }
  }

  #schedule(): void {
    // Unref'd: a held lock must not keep a process alive that has nothing else to do.
    this.#timer = setTimeout(() => this.#extend(), this.#context.lockTtlMs / 2).unref();
  }

  /** The next extension is scheduled only once this one settled, so a slow Redis never piles them up. */
  async #extend(): Promise<void> {
    if (this.#released) return;
    const { redlock, lockTtlMs, report } = this.#context;
    try {
      const extended = await redlock.extend(this.#lock, lockTtlMs, ONE_ATTEMPT);
      if (this.#released) return;
      this.#lock = extended;
      this.#schedule();
    } catch (error) {
      if (this.#released) return;
      const cause = bareError(error);
      report(
        new StoreError(
          `redlock: could not extend the lock on '${this.#key}' (${cause.message}); another process may load it too`,
          { cause },
        ),
        this.#key,
      );
      // A failed extension (a blip) does not end the lock: try again while it still lives.
      if (this.#lock.expiration > Date.now()) this.#schedule();
    }
  }
}
