/**
 * Orchestrates a benchmark run: every (scenario, peer, variant) in a fresh child process
 * (`node --expose-gc dist/run-one.js ...`), one after another, over several rounds with the
 * order rotated between rounds; then writes the medians to `results/<family>.md`.
 *
 *   node dist/main.js <memory|redis|redis-invalidate|stampede|expiry|tiered|all> [--rounds=N] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runChild } from './harness/child.js';
import { describeMachine, describeSource, LoadSamples, packagesDistStamp } from './harness/machine.js';
import { type PrivateRedis, startPrivateRedis } from './harness/redis-server.js';
import { fmt } from './harness/stats.js';
import { renderExpiryReport } from './report/expiry.js';
import { renderMemoryReport } from './report/memory.js';
import type { JobOutcome } from './report/outcome.js';
import { renderRedisReport } from './report/redis.js';
import { renderRedisInvalidateReport } from './report/redis-invalidate.js';
import { renderStampedeReport } from './report/stampede.js';
import { renderTieredReport } from './report/tiered.js';
import type { RunResult } from './run-one.js';
import { DEFAULT_ROUNDS, type Family, type Params, type Scenario, scenarios } from './scenarios/index.js';

const FAMILIES: readonly Family[] = ['memory', 'redis', 'redis-invalidate', 'stampede', 'expiry', 'tiered'];
const CHILD_TIMEOUT_MS = 180_000;
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

interface Job {
  scenario: Scenario;
  peer: string;
  outcome: JobOutcome;
}

interface Options {
  families: readonly Family[];
  /** From `--rounds`; otherwise each family's DEFAULT_ROUNDS. */
  rounds: number | undefined;
  quick: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  let families: readonly Family[] = FAMILIES;
  let rounds: number | undefined;
  let quick = false;
  for (const arg of argv) {
    if (arg === 'all') families = FAMILIES;
    else if ((FAMILIES as readonly string[]).includes(arg)) families = [arg as Family];
    else if (arg === '--quick') quick = true;
    else if (/^--rounds=\d+$/.test(arg)) rounds = Number(arg.slice('--rounds='.length));
    else
      throw new RangeError(`unknown argument '${arg}'; usage: main <${FAMILIES.join('|')}|all> [--rounds=N] [--quick]`);
  }
  if (rounds !== undefined && rounds < 1) throw new RangeError('--rounds must be at least 1');
  return { families, rounds: quick ? 1 : rounds, quick };
}

function jobsOf(family: Family): Job[] {
  return scenarios
    .filter((s) => s.family === family)
    .flatMap((scenario) =>
      scenario.variants.flatMap((variant) =>
        Object.keys(scenario.peers).map((peer) => ({
          scenario,
          peer,
          outcome: { scenario: scenario.id, peer, variant, runs: [] as RunResult[] },
        })),
      ),
    );
}

/** Round r starts 1/rounds of the way further along the list, so no peer always runs first or last. */
function rotated<T>(items: readonly T[], round: number, rounds: number): T[] {
  const offset = Math.floor((round * items.length) / rounds) % Math.max(items.length, 1);
  return [...items.slice(offset), ...items.slice(0, offset)];
}

function describeResult(result: RunResult): string {
  if (result.status !== 'ok') return `${result.status}: ${result.reason ?? ''}`;
  const r = result.result ?? {};
  if (typeof r.nsPerOp === 'number') return `${fmt(r.nsPerOp)} ns/op`;
  if (typeof r.opsPerSec === 'number') return `${fmt(r.opsPerSec)} ops/s`;
  if (typeof r.heapBytesPerEntry === 'number') return `${fmt(r.heapBytesPerEntry)} heap bytes/entry`;
  if (typeof r.allDoneMs === 'number') {
    return `loader runs per key ${JSON.stringify(r.loadsPerKey)}, all callers served in ${fmt(r.allDoneMs)} ms (median over keys), ${String(r.wrong)} wrong, ${String(r.errors)} errors`;
  }
  if (typeof r.p99Ms === 'number' && typeof r.hitP50Ms === 'number') {
    return `${String(r.loads)} loads, p99 ${fmt(r.p99Ms)} ms (hit p50 ${fmt(r.hitP50Ms)} ms, p99 ${fmt(Number(r.hitP99Ms))} ms), ${String(r.waitedForLoad)} calls waited for a load, ${String(r.slowerThanLoader)} took ≥ the loader time`;
  }
  if (typeof r.p50Ms === 'number' && typeof r.p99Ms === 'number') {
    return `${String(r.messages)} invalidations: p50 ${fmt(r.p50Ms)} ms, p99 ${fmt(r.p99Ms)} ms, max ${fmt(Number(r.maxMs))} ms`;
  }
  if (typeof r.minRatio === 'number') {
    return `${String(r.fault)}: settled in ${fmt(Number(r.settleMs))} ms, lowest ratio to the uncached rate ${r.minRatio.toFixed(3)}`;
  }
  if (typeof r.clientMs === 'number' && typeof r.redisUsecPerCall === 'number') {
    return `invalidateTags ${fmt(r.clientMs)} ms, EVALSHA ${fmt(r.redisUsecPerCall)} µs, ${String(r.commandsSent)} command(s) sent (fill ${fmt(Number(r.fillSeconds))} s)`;
  }
  return JSON.stringify(r);
}

async function runFamily(family: Family, options: Options): Promise<void> {
  const started = Date.now();
  const source = describeSource();
  const stamp = packagesDistStamp();
  const jobs = jobsOf(family);
  const rounds = options.rounds ?? DEFAULT_ROUNDS[family];
  const load = new LoadSamples();
  let redis: PrivateRedis | undefined;
  let redisProblem: string | undefined;
  const stopOnSignal = (signal: NodeJS.Signals): void => {
    void (redis?.stop() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  if (jobs.some((j) => j.scenario.needsRedis)) {
    try {
      redis = await startPrivateRedis();
      process.once('SIGINT', stopOnSignal).once('SIGTERM', stopOnSignal);
      console.error(`[bench] private redis-server on port ${redis.port}`);
    } catch (error) {
      redisProblem = error instanceof Error ? error.message : String(error);
    }
  }
  try {
    for (let round = 0; round < rounds; round++) {
      for (const job of rotated(jobs, round, rounds)) {
        const { scenario, peer, outcome } = job;
        if (scenario.rounds !== undefined && round >= scenario.rounds) continue;
        const label = `[${family} ${round + 1}/${rounds}] ${scenario.id} ${peer} ${JSON.stringify(outcome.variant)}`;
        if (scenario.needsRedis && redis === undefined) {
          outcome.runs.push({
            scenario: scenario.id,
            peer,
            params: {},
            status: 'skipped',
            reason: `no redis-server: ${redisProblem}`,
          });
          continue;
        }
        const params: Params = {
          ...scenario.params,
          ...(options.quick ? scenario.quick : {}),
          ...outcome.variant,
          ...(scenario.needsRedis && redis ? { redisPort: redis.port } : {}),
        };
        if (scenario.needsRedis) await redis?.command('FLUSHALL');
        load.sample();
        const t0 = Date.now();
        const result = await runChild(scenario.id, peer, params, CHILD_TIMEOUT_MS);
        outcome.runs.push(result);
        console.error(`${label}: ${describeResult(result)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
  } finally {
    await redis?.stop();
    process.removeListener('SIGINT', stopOnSignal).removeListener('SIGTERM', stopOnSignal);
  }

  const busy = load.warning();
  const context = {
    machine: `${describeMachine()}; ${source}; ${load.describe()}`,
    warnings: [
      ...(packagesDistStamp() === stamp
        ? []
        : [
            'packages/*/dist changed while this ran (another build in the same tree): rows may mix two versions of cachewise.',
          ]),
      ...(busy === undefined ? [] : [busy]),
    ],
    rounds,
    command: process.env.npm_lifecycle_event
      ? `pnpm ${process.env.npm_lifecycle_event}`
      : `node dist/main.js ${family}`,
    minutes: (Date.now() - started) / 60_000,
    scenarios: scenarios.filter((s) => s.family === family),
  };
  const outcomes = jobs.map((j) => j.outcome);
  const render = {
    memory: renderMemoryReport,
    redis: renderRedisReport,
    'redis-invalidate': renderRedisInvalidateReport,
    stampede: renderStampedeReport,
    expiry: renderExpiryReport,
    tiered: renderTieredReport,
  }[family];
  const markdown = render(outcomes, context);
  mkdirSync(RESULTS_DIR, { recursive: true });
  // Quick runs are smoke tests: their numbers go to an ignored file, never over a real run's.
  const file = `${RESULTS_DIR}${family}${options.quick ? '.quick.tmp' : '.md'}`;
  writeFileSync(file, markdown);
  console.log(markdown);
  console.error(`[bench] wrote ${file}`);
}

const options = parseOptions(process.argv.slice(2));
for (const family of options.families) await runFamily(family, options);
