import { fmt } from '../harness/stats.js';
import { LOADER_MS } from '../scenarios/stampede/loader.js';
import type { ReportContext } from './memory.js';
import { find, type JobOutcome, labelOf, paramsOf, problemsOf, rangeCell, setupNoteOf, summarize } from './outcome.js';

const SCENARIO = 'stampede';
const CACHEWISE = 'cachewise';
/** The peer libraries, expected to load once per process (no cross-process lock). */
const PEERS = ['bentocache', 'cache-manager', 'type-cacheable'];
/** The time target: the loader's own time plus this. */
const SLACK_MS = 20;

/** A number field of every ok round, flattened when it is a list (per-key values). */
function valuesOf(outcome: JobOutcome | undefined, field: string): number[] {
  return (outcome?.runs ?? [])
    .filter((r) => r.status === 'ok')
    .flatMap((r) => {
      const v = r.result?.[field];
      return Array.isArray(v) ? (v as unknown[]) : [v];
    })
    .filter((v): v is number => typeof v === 'number');
}

function sumOf(outcome: JobOutcome | undefined, field: string): number {
  return valuesOf(outcome, field).reduce((a, b) => a + b, 0);
}

/** Loader runs per cold key: the distinct counts seen over every key of every round, e.g. `4` or `1–2`. */
function loadsCell(outcome: JobOutcome | undefined): string {
  const loads = valuesOf(outcome, 'loadsPerKey');
  if (loads.length === 0) return '—';
  const lo = Math.min(...loads);
  const hi = Math.max(...loads);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function targets(outcomes: readonly JobOutcome[], rounds: number): string[] {
  const ours = find(outcomes, SCENARIO, CACHEWISE);
  const label = ours ? labelOf(ours) : CACHEWISE;
  const loads = valuesOf(ours, 'loadsPerKey');
  const time = summarize(ours, 'allDoneMs');
  const bound = LOADER_MS + SLACK_MS;
  const lines: string[] = [];
  if (loads.length === 0 || time === undefined) {
    const why = ours ? problemsOf(ours)[0] : undefined;
    lines.push(
      `- ${label}: loader runs once per cold key across all processes: **not evaluated** (${why ?? 'no result'})`,
      `- ${label}: every caller has its value within ${LOADER_MS} + ${SLACK_MS} = ${bound} ms of the go: **not evaluated**`,
    );
  } else {
    const once = loads.every((n) => n === 1);
    lines.push(
      `- ${label}: loader runs once per cold key across all processes: ${once ? '**met**' : '**not met**'} — ` +
        `${loads.filter((n) => n === 1).length} of ${loads.length} cold keys (${rounds} round${rounds === 1 ? '' : 's'}) ran it exactly once` +
        (once ? '' : `; runs per key: ${loadsCell(ours)}`),
      `- ${label}: every caller has its value within ${LOADER_MS} + ${SLACK_MS} = ${bound} ms of the go: ` +
        `${time.median <= bound ? '**met**' : '**not met**'} — **${fmt(time.median)} ms** (median over rounds of each round's ` +
        `median over its cold keys; range ${rangeCell(time, fmt)} ms)`,
    );
  }
  const peerCounts = PEERS.map((peer) => {
    const outcome = find(outcomes, SCENARIO, peer);
    return `${outcome ? labelOf(outcome) : peer} ${loadsCell(outcome)}`;
  });
  lines.push(
    `- For comparison, loader runs per cold key of the peers (expected 4, one per process): ${peerCounts.join('; ')}.`,
  );
  return lines;
}

/** The markdown of `results/stampede.md`. */
export function renderStampedeReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const scenario = context.scenarios.find((s) => s.id === SCENARIO);
  if (scenario === undefined) return '';
  const p = paramsOf(outcomes, scenario);
  const rows = outcomes.filter((o) => o.scenario === SCENARIO);
  const lines = [
    '# Stampede: one cold key, many processes',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: a private \`redis-server --save '' --appendonly no\` on a free local port, FLUSHALL before each job. ` +
      `${context.rounds} round${context.rounds === 1 ? '' : 's'}; in each, every peer runs as one job (peers rotated between rounds): ` +
      `a coordinator process starts ${p.processes} worker processes, each of which sets the peer up on its own connections and ` +
      'says ready (the barrier); then, for each cold key, the coordinator sends every worker a go over its IPC channel and each ' +
      `worker starts ${p.callers} concurrent calls of that key at once. The loader sleeps ${LOADER_MS} ms (standing for the ` +
      'database) and counts its run with an INCR on the same Redis server, on a connection of its own. Per key: the loader runs ' +
      'in total (that counter), and the time from the go until the last caller of the last process had its value (each process ' +
      'timestamps against the system clock at sub-millisecond resolution, `performance.timeOrigin + performance.now()`). ' +
      `A job measures ${p.keys} fresh keys, ${p.pauseMs} ms apart, after one untimed warm-up key, and reports the median over its keys; ` +
      'the table shows the median over rounds and the range. Every caller must get user `id` back: wrong values and errors are counted.',
    '',
    '## Targets',
    '',
    ...targets(outcomes, context.rounds),
    '',
    '## Results',
    '',
    '| peer | loader runs per cold key | all callers served, ms (median) | range over rounds | slowest key, ms | first process served, ms | go delivered to the last worker, ms | callers with a wrong value / an error | setup |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const outcome of rows) {
    const time = summarize(outcome, 'allDoneMs');
    const worst = valuesOf(outcome, 'allDoneMsMax');
    const go = summarize(outcome, 'goDelayMs');
    const first = summarize(outcome, 'firstProcessMs');
    if (time === undefined) {
      lines.push(
        `| ${labelOf(outcome)} | — | — | — | — | — | — | — | ${setupNoteOf(outcome)} (no result, see notes) |`,
      );
      continue;
    }
    lines.push(
      `| ${labelOf(outcome)} | ${loadsCell(outcome)} | ${fmt(time.median)} | ${rangeCell(time, fmt)} | ` +
        `${fmt(Math.max(...worst))} | ${first ? fmt(first.median) : '—'} | ${go ? fmt(go.median) : '—'} | ${sumOf(outcome, 'wrong')} / ${sumOf(outcome, 'errors')} of ` +
        `${sumOf(outcome, 'calls').toLocaleString('en-US')} | ${setupNoteOf(outcome)} |`,
    );
  }
  lines.push(
    '',
    `"Loader runs per cold key" lists every key of every round: one number when they all agree, else the range. ` +
      '"First process served" is the time until the first process had served all its callers (with the lock, usually the ' +
      'one that loaded; the gap to "all callers served" is what waiting on another process costs). ' +
      '"Go delivered" is the time from the go until the last worker received it, part of the served time: the processes ' +
      'share 2 cores with the coordinator and Redis. Both are medians over rounds of per-job medians over keys.',
    '',
    'bentocache runs with its defaults: its lock is per process (an async-mutex per key; `lockTimeout` unset) and its ' +
      'factory timeouts (soft `timeout: 0`, no `hardTimeout`) only act when a graced value exists, which a cold key has not; ' +
      'cache-manager and type-cacheable coalesce concurrent calls within a process only. None of them has a cross-process lock.',
    '',
  );
  const problems = rows.flatMap(problemsOf);
  const errors = rows.flatMap((o) =>
    o.runs.flatMap((r) => (typeof r.result?.firstError === 'string' ? [`${labelOf(o)}: ${r.result.firstError}`] : [])),
  );
  if (problems.length + errors.length > 0) {
    lines.push('## Notes', '', ...[...problems, ...new Set(errors)].map((p) => `- ${p}`), '');
  }
  return lines.join('\n');
}
