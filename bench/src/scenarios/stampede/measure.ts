import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { median } from '../../harness/stats.js';
import { PeerUnavailableError } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';
import { loadCountKey } from './loader.js';
import { type FromWorker, type ToWorker, wallClockMs } from './protocol.js';

export interface StampedeParams {
  /** Worker processes, each with its own connections and its own copy of the peer. */
  processes: number;
  /** Concurrent callers of the cold key in each process. */
  callers: number;
  /** Cold keys, one after another, each a fresh id: the stampedes measured in this run. */
  keys: number;
  /** Pause between two keys, so one key's lock and messages have settled before the next. */
  pauseMs: number;
  redisPort: number;
}

const WORKER = fileURLToPath(new URL('../../stampede-worker.js', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const KEY_TIMEOUT_MS = 30_000;

type Done = Extract<FromWorker, { type: 'done' }>;

/** A worker process and the messages it has sent that nobody took yet. */
class Worker {
  readonly #child: ChildProcess;
  readonly #queue: FromWorker[] = [];
  #waiting: ((message: FromWorker) => void) | undefined;
  #stderr = '';
  readonly exited: Promise<void>;

  constructor(peerId: string, params: StampedeParams) {
    this.#child = spawn(
      process.execPath,
      [WORKER, peerId, `--redisPort=${params.redisPort}`, `--callers=${params.callers}`],
      { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] },
    );
    this.#child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2_000);
    });
    this.#child.on('message', (message: FromWorker) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting) waiting(message);
      else this.#queue.push(message);
    });
    this.exited = new Promise((resolve) => this.#child.once('exit', () => resolve()));
  }

  send(message: ToWorker): void {
    this.#child.send(message);
  }

  /** The next message, or an error naming what the worker said on stderr if it exits or takes too long. */
  next(timeoutMs: number): Promise<FromWorker> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        this.#waiting = undefined;
        reject(new Error(`stampede worker ${why}; stderr: ${this.#stderr.trim().slice(-500) || '(empty)'}`));
      };
      const timer = setTimeout(() => fail(`sent nothing for ${timeoutMs} ms`), timeoutMs);
      void this.exited.then(() => fail(`exited with ${this.#child.exitCode ?? this.#child.signalCode}`));
      this.#waiting = (message) => {
        settled = true;
        clearTimeout(timer);
        resolve(message);
      };
    });
  }

  kill(): void {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}

/** Waits for every worker's `ready`: the barrier. A worker that could not set the peer up ends the run. */
async function barrier(workers: readonly Worker[]): Promise<void> {
  const answers = await Promise.all(workers.map((w) => w.next(READY_TIMEOUT_MS)));
  const failed = answers.find((a) => a.type === 'failed');
  if (failed?.type === 'failed') {
    throw failed.unavailable ? new PeerUnavailableError(failed.reason) : new Error(failed.reason);
  }
  if (answers.some((a) => a.type !== 'ready')) throw new Error('a stampede worker answered out of turn');
}

/** One stampede: go to every worker at once, then wait for every caller of every process. */
async function stampede(workers: readonly Worker[], id: number): Promise<{ goAt: number; dones: Done[] }> {
  const goAt = wallClockMs();
  for (const worker of workers) worker.send({ type: 'go', id });
  const answers = await Promise.all(workers.map((w) => w.next(KEY_TIMEOUT_MS)));
  const dones = answers.filter((a): a is Done => a.type === 'done' && a.id === id);
  if (dones.length !== workers.length) throw new Error(`a stampede worker answered key ${id} out of turn`);
  return { goAt, dones };
}

/**
 * Cross-process stampede on cold keys: `processes` workers, each with the peer set up and
 * connected, wait at a barrier; then, for each of `keys` fresh ids, every worker gets a go
 * and starts `callers` concurrent calls. Per key: loader runs in total (counted in Redis by
 * the loader itself) and the time from the go until every caller of every process had its
 * value. One untimed key first warms connections and code paths.
 */
export async function measureStampede(peerId: string, params: StampedeParams): Promise<Record<string, unknown>> {
  const workers = Array.from({ length: params.processes }, () => new Worker(peerId, params));
  const counter = await connectIoredis({ capacity: 0, redisPort: params.redisPort });
  try {
    await barrier(workers);
    await stampede(workers, 0); // warm-up, not counted
    await sleep(params.pauseMs);
    const loads: number[] = [];
    const allDoneMs: number[] = [];
    const goDelayMs: number[] = [];
    const firstProcessMs: number[] = [];
    let wrong = 0;
    let errors = 0;
    let firstError: string | undefined;
    for (let id = 1; id <= params.keys; id++) {
      const { goAt, dones } = await stampede(workers, id);
      allDoneMs.push(Math.max(...dones.map((d) => d.lastAt)) - goAt);
      firstProcessMs.push(Math.min(...dones.map((d) => d.lastAt)) - goAt);
      goDelayMs.push(Math.max(...dones.map((d) => d.receivedAt)) - goAt);
      loads.push(Number(await counter.get(loadCountKey(id))));
      for (const done of dones) {
        wrong += done.wrong;
        errors += done.errors;
        firstError ??= done.firstError;
      }
      await sleep(params.pauseMs);
    }
    for (const worker of workers) worker.send({ type: 'close' });
    await Promise.race([Promise.all(workers.map((w) => w.exited)), sleep(10_000)]);
    return {
      loadsMedian: median(loads),
      loadsMax: Math.max(...loads),
      loadsMin: Math.min(...loads),
      loadsPerKey: loads,
      allDoneMs: median(allDoneMs),
      allDoneMsMax: Math.max(...allDoneMs),
      allDoneMsPerKey: allDoneMs.map((ms) => Math.round(ms * 10) / 10),
      goDelayMs: median(goDelayMs),
      firstProcessMs: median(firstProcessMs),
      calls: params.keys * params.processes * params.callers,
      wrong,
      errors,
      ...(firstError ? { firstError } : {}),
    };
  } finally {
    for (const worker of workers) worker.kill();
    await counter.quit();
  }
}
