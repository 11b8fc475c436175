import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { makeUser, type User } from '../../harness/user.js';
import type { PeerContext } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';

/** How long the loader takes: a sleep standing for the database query. */
export const LOADER_MS = 50;

/** The Redis key where the loader runs for `id` are counted, across every process. */
export function loadCountKey(id: number): string {
  return `bench:stampede:loads:${id}`;
}

/**
 * The loader of the stampede scenario: counts its run in Redis (INCR, on a connection of its
 * own so it never queues behind the peer's commands), sleeps {@link LOADER_MS}, returns the user.
 */
export class SlowLoader {
  count = 0;
  readonly #counter: Redis;

  private constructor(counter: Redis) {
    this.#counter = counter;
  }

  static async connect(context: PeerContext): Promise<SlowLoader> {
    return new SlowLoader(await connectIoredis(context));
  }

  async load(id: number): Promise<User> {
    this.count++;
    await this.#counter.incr(loadCountKey(id));
    await sleep(LOADER_MS);
    return makeUser(id);
  }

  async close(): Promise<void> {
    if (this.#counter.status !== 'end') await this.#counter.quit();
  }
}
