import type { Redis } from 'ioredis';

type Reply = Array<Buffer | string | null | false>;

interface Waiting {
  readonly keys: string[];
  resolve(values: Reply): void;
  reject(error: unknown): void;
}

/**
 * Gathers the MGETs issued while the process drains one batch of callbacks and sends
 * them together, as one pipeline, on `process.nextTick`. Under load (many callers
 * resumed by one burst of replies) that is one write and one round trip for all of
 * them; a lone read goes out as a plain MGET a few microseconds later, with no pipeline.
 *
 * ioredis's `enableAutoPipelining` does the batching too, but waits for `setImmediate`
 * (a turn of the event loop), which costs a lone caller far more than a tick.
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
      (this.#client.mgetBuffer(...only.keys) as Promise<Reply>).then(only.resolve, only.reject);
      return;
    }
    const pipeline = this.#client.pipeline();
    for (const { keys } of batch) pipeline.mgetBuffer(...keys);
    pipeline.exec().then(
      (results) => {
        for (let i = 0; i < batch.length; i++) {
          const [error, values] = results?.[i] ?? [new Error('no reply in pipeline'), undefined];
          if (error) batch[i]!.reject(error);
          else batch[i]!.resolve(values as Reply);
        }
      },
      (error: unknown) => {
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}
