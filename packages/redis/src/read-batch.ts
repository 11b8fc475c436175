import type { Redis } from 'ioredis';

type Reply = Array<Buffer | string | null | false>;

interface Waiting {
  readonly keys: string[];
  resolve(values: Reply): void;
  reject(error: unknown): void;
}

/**
 * Keys one MGET may carry: past it, a batch goes out as several MGETs (a read's keys always
 * in one, so each read stays atomic), and no single command holds the server for long.
 */
export const MAX_BATCH_KEYS = 1_024;

/**
 * Gathers the MGETs issued while the process drains one batch of callbacks and sends
 * them, on `process.nextTick`, as one MGET of their distinct keys. Under load (many
 * callers resumed by one burst of replies) that is one command, one write and one round
 * trip for all of them, and a key they share (the namespace's tag) is read once; a lone
 * read goes out as its own MGET a few microseconds later.
 *
 * Each read still sees one atomic snapshot of its keys: they are all in the same MGET.
 * ioredis's `enableAutoPipelining` batches too, but waits for `setImmediate` (a turn of
 * the event loop), which costs a lone caller far more than a tick, and sends one command
 * per read.
 */
export class ReadBatch {
  readonly #client: Redis;
  #waiting: Waiting[] = [];

  constructor(client: Redis) {
    this.#client = client;
  }

  mget(keys: string[]): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.#waiting.push({ keys, resolve, reject }) === 1) process.nextTick(() => this.#flush());
    });
  }

  #flush(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 1) {
      const only = batch[0]!;
      this.#mget(only.keys).then(only.resolve, only.reject);
      return;
    }
    let first = 0;
    while (first < batch.length) first = this.#send(batch, first);
  }

  /** Sends one MGET for the reads from `first` on that fit in it; answers where the next begins. */
  #send(batch: Waiting[], first: number): number {
    const keys: string[] = [];
    const slots = new Map<string, number>();
    const places: number[][] = [];
    let end = first;
    while (end < batch.length && (end === first || keys.length + batch[end]!.keys.length <= MAX_BATCH_KEYS)) {
      const own = batch[end]!.keys;
      const at = new Array<number>(own.length);
      for (let i = 0; i < own.length; i++) {
        const key = own[i]!;
        let slot = slots.get(key);
        if (slot === undefined) {
          slot = keys.push(key) - 1;
          slots.set(key, slot);
        }
        at[i] = slot;
      }
      places.push(at);
      end++;
    }
    this.#mget(keys).then(
      (values) => {
        for (let r = first; r < end; r++) {
          const at = places[r - first]!;
          const own: Reply = new Array(at.length);
          for (let i = 0; i < at.length; i++) own[i] = values[at[i]!] ?? null;
          batch[r]!.resolve(own);
        }
      },
      (error: unknown) => {
        for (let r = first; r < end; r++) batch[r]!.reject(error);
      },
    );
    return end;
  }

  /** MGET, a client that throws instead of rejecting included: this runs on a tick, where a throw would end the process. */
  #mget(keys: string[]): Promise<Reply> {
    try {
      return this.#client.mgetBuffer(keys) as Promise<Reply>;
    } catch (error) {
      return Promise.reject(error);
    }
  }
}
