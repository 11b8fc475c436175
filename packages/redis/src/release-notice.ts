/**
 * How a waiter learns that a lock was released: a pub/sub notice that the release script
 * publishes on a channel named like the lock key, on a subscriber connection per node
 * that the protector creates on the first wait and shares between all waits. Measured
 * against polling the lock key by scripts/measure-wake.mjs: faster, for as few commands
 * (docs/stampede.md has the figures).
 */
import { StoreError } from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';
import { bareError } from './bounded.js';

type Client = Redis | Cluster;
type Finish = (released: boolean) => void;

/** Every wait on one lock key in this process: one subscription, dropped with the last waiter. */
interface KeyWait {
  readonly waiters: Set<Finish>;
  /** Resolves true once a node confirmed the subscription, false when none could. */
  readonly subscribed: Promise<boolean>;
}

/** One node's subscriber connection, duplicated from the user's client. */
interface Subscriber {
  readonly connection: Client;
  readonly sharded: boolean;
}

/** True when every client is a Cluster: then notices go by sharded pub/sub (SPUBLISH). */
export function usesShardedPubSub(clients: readonly Client[]): boolean {
  return clients.every((client) => (client as { isCluster?: boolean }).isCluster === true);
}

/** Whether a lock key is held on any reachable node; rejects when no node answered. */
export async function isHeld(clients: readonly Client[], lockKey: string): Promise<boolean> {
  const answers = await Promise.allSettled(clients.map((client) => client.exists(lockKey)));
  let answered = 0;
  for (const answer of answers) {
    if (answer.status === 'rejected') continue;
    answered++;
    // Conservative with several nodes: any holder means wait on; a release publishes anyway.
    if (answer.value > 0) return true;
  }
  if (answered === 0) throw (answers[0] as PromiseRejectedResult).reason;
  return false;
}

export class ReleaseNotices {
  readonly #clients: readonly Client[];
  readonly #sharded: boolean;
  readonly #report: (error: Error) => void;
  readonly #waits = new Map<string, KeyWait>();
  #subscribers: Array<Subscriber | undefined>;
  #closed = false;

  constructor(clients: readonly Client[], report: (error: Error) => void) {
    this.#clients = clients;
    this.#sharded = usesShardedPubSub(clients);
    this.#report = report;
    this.#subscribers = clients.map(() => undefined);
  }

  /**
   * Resolves true on a release notice for `lockKey` or when the lock is found free after
   * subscribing (so a release between the caller's failed tryLock and this wait is not
   * missed), false after `waitMs`, when Redis cannot be reached, or on close.
   */
  wait(lockKey: string, waitMs: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    let entry = this.#waits.get(lockKey);
    if (entry === undefined) {
      entry = { waiters: new Set(), subscribed: this.#subscribe(lockKey) };
      this.#waits.set(lockKey, entry);
    }
    const wait = entry;
    return new Promise<boolean>((resolve) => {
      let done = false;
      const finish: Finish = (released) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.#leave(lockKey, wait, finish);
        resolve(released);
      };
      const timer = setTimeout(finish, waitMs, false);
      wait.waiters.add(finish);
      wait.subscribed.then(async (ok) => {
        if (done) return;
        if (!ok) return finish(false);
        // Subscribed first, checked second: a release from now on is a notice.
        try {
          if (!(await isHeld(this.#clients, lockKey))) finish(true);
        } catch {
          finish(false);
        }
      });
    });
  }

  /** Ends every wait (false) and disconnects the subscriber connections. */
  close(): void {
    this.#closed = true;
    for (const wait of [...this.#waits.values()]) for (const finish of [...wait.waiters]) finish(false);
    for (const subscriber of this.#subscribers) subscriber?.connection.disconnect();
    this.#subscribers = this.#subscribers.map(() => undefined);
  }

  async #subscribe(channel: string): Promise<boolean> {
    const results = await Promise.allSettled(
      this.#clients.map((_, index) => {
        const { connection, sharded } = this.#subscriber(index);
        return sharded ? connection.ssubscribe(channel) : connection.subscribe(channel);
      }),
    );
    return results.some((result) => result.status === 'fulfilled');
  }

  #leave(channel: string, wait: KeyWait, finish: Finish): void {
    wait.waiters.delete(finish);
    if (wait.waiters.size > 0 || this.#waits.get(channel) !== wait) return;
    this.#waits.delete(channel);
    // Commands on one connection run in order: a later wait's SUBSCRIBE follows this one.
    for (const subscriber of this.#subscribers) {
      if (subscriber === undefined) continue;
      const { connection, sharded } = subscriber;
      (sharded ? connection.sunsubscribe(channel) : connection.unsubscribe(channel)).catch(() => {});
    }
  }

  #onNotice = (channel: string | Buffer): void => {
    const wait = this.#waits.get(String(channel));
    if (wait !== undefined) for (const finish of [...wait.waiters]) finish(true);
  };

  #subscriber(index: number): Subscriber {
    const existing = this.#subscribers[index];
    if (existing !== undefined) return existing;
    const client = this.#clients[index] as Client;
    // The offline queue lets a wait that starts while connecting subscribe once connected;
    // every wait is bounded by its own timer anyway.
    const connection = this.#sharded
      ? (client as Cluster).duplicate([], { shardedSubscribers: true, enableOfflineQueue: true })
      : (client as Redis).duplicate({ enableOfflineQueue: true });
    const subscriber = { connection, sharded: this.#sharded };
    this.#subscribers[index] = subscriber;
    connection.on(this.#sharded ? 'smessage' : 'message', this.#onNotice);
    let reported = false;
    connection.on('ready', () => {
      reported = false;
    });
    connection.on('error', (error: unknown) => {
      if (reported) return;
      reported = true;
      this.#report(
        new StoreError(
          `redlock: the release-notice subscriber lost its connection (reported once until it is ready again): ${bareError(error).message}; waits end by their bound meanwhile`,
          { cause: bareError(error) },
        ),
      );
    });
    connection.on('end', () => {
      // No more reconnects: the next wait duplicates a fresh connection.
      if (this.#subscribers[index] === subscriber) this.#subscribers[index] = undefined;
    });
    return subscriber;
  }
}
