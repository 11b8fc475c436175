// `pnpm demo`: the REST API under load in each cache mode, one service process per mode,
// then a table and an HTML report.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CacheMode } from '../config.js';
import { type LoadOptions, LoadProgress, runLoad } from './load.js';
import { deleteKeys, findOnPath, type Running, startNodeProcess, startRedisServer } from './processes.js';
import { renderReport } from './report.js';
import { formatTable, type ModeResult, summarize } from './results.js';
import { readHealth, Sampler } from './sampler.js';
import { DemoSettingsError, demoModes, readDemoSettings } from './settings.js';

let settings: ReturnType<typeof readDemoSettings>;
try {
  settings = readDemoSettings(process.env);
} catch (error) {
  if (!(error instanceof DemoSettingsError)) throw error;
  console.error(`demo: ${error.message}`);
  process.exit(1);
}

const serviceMain = fileURLToPath(new URL('../main.js', import.meta.url));
const runId = randomBytes(3).toString('hex');
const log = (line: string) => console.log(line);

let redis: { url: string; own: Running | undefined } | undefined;
if (process.env.REDIS_URL) {
  redis = { url: process.env.REDIS_URL, own: undefined };
} else {
  const bin = findOnPath('redis-server');
  if (bin !== undefined) {
    const own = await startRedisServer(bin);
    redis = { url: own.url, own };
    log(`started redis-server on ${own.url} for the redis and tiered modes (stopped at the end)`);
  } else {
    log('redis-server is not on PATH and REDIS_URL is not set: running the none and memory modes only');
  }
}
const modes = demoModes(redis !== undefined);
log(
  `${modes.length} modes x ${settings.requests.toLocaleString('en-US')} requests (at most ` +
    `${settings.maxDurationS} s each), ${settings.connections} connections, ` +
    `DB_DELAY_MS=${settings.dbDelayMs}, Zipf-skewed keys over ${settings.users.toLocaleString('en-US')} users, ` +
    `${settings.writeShare * 100}% PUTs`,
);

const results: ModeResult[] = [];
const namespaces: string[] = [];
let database: Running | undefined;
try {
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const bootStart = performance.now();
    database = await startNodeProcess(fileURLToPath(new URL('./database.js', import.meta.url)), {
      ...process.env,
      SEED_USERS: String(settings.users),
    });
    databaseUrl = database.url;
    log(`database: embedded PGlite, seeded, served on ${database.url} (${seconds(bootStart)} s)`);
  }
  for (const mode of modes) {
    const namespace = `cwdemo-${runId}-${mode}`;
    namespaces.push(namespace);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CACHE: mode,
      PORT: '0',
      HOST: '127.0.0.1',
      DB_DELAY_MS: String(settings.dbDelayMs),
      CACHE_NAMESPACE: namespace,
      SEED_USERS: String(settings.users),
      DATABASE_URL: databaseUrl,
    };
    if (redis !== undefined) env.REDIS_URL = redis.url;
    const bootStart = performance.now();
    const service = await startNodeProcess(serviceMain, env);
    try {
      log(`[${mode}] service up on ${service.url} (${seconds(bootStart)} s)`);
      const sampler = new Sampler(service.url);
      await sampler.sample();
      const loadOptions: LoadOptions = {
        url: service.url,
        amount: settings.requests,
        maxDurationS: settings.maxDurationS,
        connections: settings.connections,
        users: settings.users,
        writeShare: settings.writeShare,
        run: `${runId}${mode.length}`,
      };
      const progress = new LoadProgress();
      const stopProgress = startProgress(mode, sampler, progress);
      const loaded = await runLoad(loadOptions, progress);
      stopProgress();
      await sampler.stop();
      const health = await readHealth(service.url);
      const result = summarize(mode, loaded, health, sampler.samples);
      results.push(result);
      log(
        `[${mode}] done: ${Math.round(result.requestsPerS)} req/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ` +
          `${result.queries} DB queries, ${result.stale} stale reads`,
      );
      for (const example of result.staleExamples) log(`  stale: ${example}`);
      if (loaded.cut) log(`[${mode}] stopped after ${settings.maxDurationS} s (DEMO_MAX_DURATION)`);
    } finally {
      await service.stop();
    }
  }
} finally {
  await database?.stop();
  if (redis?.own) await redis.own.stop();
  else if (redis !== undefined) for (const namespace of namespaces) await deleteKeys(redis.url, `${namespace}:`);
}

log('');
log(formatTable(results));
log('');
log(
  'p50/p99: client-side timing of each request (sent to response complete). hit rate: GETs answered ' +
    'from the HTTP response cache. DB load off: reads that did not run the repository loader ' +
    '(cache.stats() loads). stale reads: GETs sent after a PUT returned that showed an older name.',
);
const html = renderReport(results, {
  'run at': new Date().toISOString(),
  'per mode': `${settings.requests} requests over ${settings.connections} connections`,
  database: `${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PGlite served over the PostgreSQL protocol'}, DB_DELAY_MS=${settings.dbDelayMs}`,
  keys: `Zipf (s = 1) over ${settings.users} users and their orgs; ${settings.writeShare * 100}% PUTs, 15% org lists`,
});
writeFileSync(settings.reportPath, html);
log(`report: ${settings.reportPath}`);
const stale = results.reduce((sum, r) => sum + r.stale, 0);
if (stale > 0) {
  console.error(`demo: ${stale} stale reads observed`);
  process.exitCode = 1;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

/** Prints the mode's progress every half second (in place on a terminal); returns its stop. */
function startProgress(mode: CacheMode, sampler: Sampler, load: LoadProgress): () => void {
  const started = performance.now();
  const tty = process.stdout.isTTY === true;
  let last = 0;
  const timer = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    const samples = sampler.samples;
    const now = samples.at(-1);
    const before = samples.findLast((s) => now !== undefined && s.t <= now.t - 1) ?? samples[0];
    if (now === undefined || before === undefined) return;
    const lookups = now.hits - before.hits + (now.misses - before.misses);
    const qps = now.t > before.t ? (now.queries - before.queries) / (now.t - before.t) : 0;
    const hitRate = lookups > 0 ? `${((100 * (now.hits - before.hits)) / lookups).toFixed(0)}%` : '-';
    const line =
      `[${mode}] ${elapsed.toFixed(0).padStart(3)} s  ${load.responses.toString().padStart(7)}/${settings.requests} requests  ` +
      `DB ${Math.round(qps).toString().padStart(5)} queries/s` +
      (mode === 'none' ? '' : `  hit rate ${hitRate}`);
    if (tty) process.stdout.write(`\r${line}   `);
    else if (elapsed - last >= 2) {
      last = elapsed;
      console.log(line);
    }
  }, 500);
  return () => {
    clearInterval(timer);
    if (tty) process.stdout.write('\n');
  };
}
