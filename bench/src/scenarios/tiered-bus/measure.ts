import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { quantileOfSorted } from '../../harness/stats.js';
import type { Peer } from '../peer.js';
import type { TieredCache } from '../tiered-hit/cachewise-tiered.js';
import { type FromSubscriber, monotonicUs, type ToSubscriber } from './protocol.js';

export interface TieredBusParams {
  /** Tag invalidations, each of its own tag `t<i>`, which the subscriber holds one warm key of. */
  invalidations: number;
  /** Pause after each awaited invalidation (ms); 0 starts the next as soon as the previous resolved. */
  paceMs: number;
  redisPort: number;
}

const WORKER = fileURLToPath(new URL('../../tiered-bus-worker.js', import.meta.url));
const TIMEOUT_MS = 60_000;
/** A delay at or past the target (5 ms) is late. */
const LATE_US = 5_000;

/** The subscriber process and the messages it sent that nobody took yet. */
class Subscriber {
  readonly #child: ChildProcess;
  readonly #queue: FromSubscriber[] = [];
  #waiting: ((message: FromSubscriber) => void) | undefined;
  #stderr = '';
  readonly #exited: Promise<void>;

  constructor(params: TieredBusParams) {
    this.#child = spawn(
      process.execPath,
      [WORKER, `--redisPort=${params.redisPort}`, `--invalidations=${params.invalidations}`],
      { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2_000);
    });
    this.#child.on('message', (message: FromSubscriber) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting) waiting(message);
      else this.#queue.push(message);
    });
    this.#exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
  }

  send(message: ToSubscriber): void {
    this.#child.send(message);
  }

  /** The next message of the expected type, or an error with the subscriber's stderr. */
  async next<T extends FromSubscriber['type']>(type: T): Promise<Extract<FromSubscriber, { type: T }>> {
    const message =
      this.#queue.shift() ??
      (await new Promise<FromSubscriber>((resolve, reject) => {
        const fail = (why: string): void => {
          this.#waiting = undefined;
          reject(new Error(`tiered-bus subscriber ${why}; stderr: ${this.#stderr.trim().slice(-500) || '(empty)'}`));
        };
        const timer = setTimeout(() => fail(`sent nothing for ${TIMEOUT_MS} ms`), TIMEOUT_MS);
        void this.#exited.then(() => fail(`exited with ${this.#child.exitCode ?? this.#child.signalCode}`));
        this.#waiting = (m) => {
          clearTimeout(timer);
          resolve(m);
        };
      }));
    if (message.type !== type) throw new Error(`tiered-bus subscriber sent '${message.type}', expected '${type}'`);
    return message as Extract<FromSubscriber, { type: T }>;
  }

  async stop(): Promise<void> {
    await Promise.race([this.#exited, sleep(5_000)]);
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

/**
 * Bus propagation delay as the issue defines it: from `invalidateTags` called in this
 * process to the end of the L1 drop in another (the subscriber process's tiered store has
 * handled the message). `invalidations` tags, one after another, each awaited, with
 * `paceMs` between them. The subscriber holds a warm L1 copy for every tag (checked to be
 * L1 hits), and afterwards every one of those keys must load again.
 */
export async function measureTieredBus(
  peer: Peer<TieredCache>,
  params: TieredBusParams,
): Promise<Record<string, unknown>> {
  const subscriber = new Subscriber(params);
  let ours: TieredCache | undefined;
  try {
    const ready = await subscriber.next('ready');
    ours = await peer.setup({ capacity: 1_000, redisPort: params.redisPort });
    const calledAtUs: number[] = [];
    for (let i = 0; i < params.invalidations; i++) {
      calledAtUs.push(monotonicUs());
      await ours.cache.invalidateTags([`t${i}`]);
      if (params.paceMs > 0) await sleep(params.paceMs);
    }
    const done = await subscriber.next('done');
    const delaysUs = done.droppedAtUs.map((at, i) => at - calledAtUs[i]!);
    const misplaced = done.tags.filter((tag, i) => !tag.endsWith(`#t${i}`)).length;
    if (misplaced > 0) throw new Error(`${misplaced} bus messages arrived out of order or named another tag`);
    subscriber.send({ type: 'check' });
    const { reloads } = await subscriber.next('checked');
    if (reloads !== params.invalidations) {
      throw new Error(`after ${params.invalidations} invalidations the subscriber reloaded ${reloads} keys`);
    }
    // A stall of either process (a GC, the scheduler on a busy machine) delays every message
    // sent during it: count the runs of consecutive late messages, so a p99 made of one stall shows as one.
    let late = 0;
    let stalls = 0;
    for (const [i, us] of delaysUs.entries()) {
      if (us < LATE_US) continue;
      late++;
      if (i === 0 || delaysUs[i - 1]! < LATE_US) stalls++;
    }
    const sorted = [...delaysUs].sort((a, b) => a - b);
    const ms = (q: number): number => quantileOfSorted(sorted, q) / 1_000;
    return {
      p50Ms: ms(0.5),
      p99Ms: ms(0.99),
      p999Ms: ms(0.999),
      maxMs: sorted[sorted.length - 1]! / 1_000,
      messages: delaysUs.length,
      late,
      stalls,
      subscriptionDrops: done.downs,
      reloads,
      warmRedisCommands: ready.warmRedisCommands,
    };
  } finally {
    await ours?.close();
    await subscriber.stop();
  }
}
