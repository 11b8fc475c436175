// Drives one service over real HTTP with autocannon: Zipf-skewed keys, a share of PUTs,
// each request timed on the client, and every name that comes back checked for staleness.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { USERS_PER_ORG } from '../db.js';
import { FreshnessCheck } from './freshness-check.js';
import { Zipf } from './zipf.js';

export interface LoadOptions {
  url: string;
  /** Requests to send (every mode sends the same number, so their database queries compare). */
  amount: number;
  /** Stop after this many seconds even if `amount` is not reached. */
  maxDurationS: number;
  connections: number;
  /** Users seeded (ids 1..users). */
  users: number;
  /** Share of requests that are PUTs. Default 0.05. */
  writeShare?: number;
  /** Share of requests that are org lists. Default 0.15. */
  listShare?: number;
  /** Unique to this run: see FreshnessCheck. */
  run: string;
}

/** Counters readable while the load runs. */
export class LoadProgress {
  responses = 0;
  errors = 0;
  gets = 0;
  puts = 0;
  /** Responses with `X-Cache: HIT`. */
  httpHits = 0;
  latenciesMs = new Float64Array(1 << 16);

  record(latencyMs: number): void {
    if (this.responses === this.latenciesMs.length) {
      const bigger = new Float64Array(this.latenciesMs.length * 2);
      bigger.set(this.latenciesMs);
      this.latenciesMs = bigger;
    }
    this.latenciesMs[this.responses++] = latencyMs;
  }
}

export interface LoadResult {
  readonly progress: LoadProgress;
  /** Sorted client-side latencies in ms. */
  readonly latenciesMs: Float64Array;
  readonly elapsedS: number;
  readonly stale: number;
  readonly staleExamples: readonly string[];
  /** Connection errors and timeouts autocannon saw. */
  readonly socketErrors: number;
  /** True when `maxDurationS` stopped the load before `amount` responses. */
  readonly cut: boolean;
}

type Pending =
  | { kind: 'user'; id: number; sentAt: number }
  | { kind: 'org'; sentAt: number }
  | { kind: 'put'; id: number; seq: number; sentAt: number };

interface Context {
  pending?: Pending | undefined;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

export async function runLoad(options: LoadOptions, progress = new LoadProgress()): Promise<LoadResult> {
  const writeShare = options.writeShare ?? 0.05;
  const listShare = options.listShare ?? 0.15;
  const users = new Zipf(options.users);
  const orgs = new Zipf(Math.ceil(options.users / USERS_PER_ORG));
  const check = new FreshnessCheck(options.run);

  // Called right before each request is written (autocannon builds a connection's next
  // request when the previous response completes), so `sentAt` is when it goes out.
  const setupRequest = (request: autocannon.Request, context: object): autocannon.Request => {
    const ctx = context as Context;
    const roll = Math.random();
    const id = users.next();
    if (roll < writeShare && check.canWrite(id)) {
      const { name, seq } = check.startWrite(id);
      ctx.pending = { kind: 'put', id, seq, sentAt: performance.now() };
      return { ...request, method: 'PUT', path: `/users/${id}`, headers: JSON_HEADERS, body: JSON.stringify({ name }) };
    }
    if (roll > 1 - listShare) {
      ctx.pending = { kind: 'org', sentAt: performance.now() };
      return { ...request, method: 'GET', path: `/orgs/${orgs.next()}/users`, body: undefined, headers: {} };
    }
    ctx.pending = { kind: 'user', id, sentAt: performance.now() };
    return { ...request, method: 'GET', path: `/users/${id}`, body: undefined, headers: {} };
  };

  const onResponse = (status: number, body: string, context: object, headers?: Record<string, string>): void => {
    const now = performance.now();
    const pending = (context as Context).pending;
    if (pending === undefined) return;
    (context as Context).pending = undefined;
    progress.record(now - pending.sentAt);
    const ok = status >= 200 && status < 300;
    if (!ok) progress.errors++;
    if (pending.kind === 'put') {
      progress.puts++;
      check.endWrite(pending.id, pending.seq, ok, now);
      return;
    }
    progress.gets++;
    if (headers?.['x-cache'] === 'HIT') progress.httpHits++;
    if (!ok) return;
    if (pending.kind === 'user') {
      const user = JSON.parse(body) as { name: string };
      check.read(pending.id, user.name, pending.sentAt);
    } else {
      for (const user of JSON.parse(body) as { id: number; name: string }[])
        check.read(user.id, user.name, pending.sentAt);
    }
  };

  const started = performance.now();
  let cut = false;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        amount: options.amount,
        requests: [{ setupRequest, onResponse } as autocannon.Request],
      },
      (error, done) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(done);
      },
    );
    const timer = setTimeout(() => {
      cut = true;
      instance.stop();
    }, options.maxDurationS * 1000);
  });
  const elapsedS = (performance.now() - started) / 1000;
  const latenciesMs = progress.latenciesMs.slice(0, progress.responses).sort();
  return {
    progress,
    latenciesMs,
    elapsedS,
    stale: check.stale,
    staleExamples: check.examples,
    socketErrors: result.errors + result.timeouts,
    cut,
  };
}

/** The q-quantile (0..1) of sorted values. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
