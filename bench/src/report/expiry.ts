import { fmt } from '../harness/stats.js';
import { LOADER_MS } from '../scenarios/expiry/subject.js';
import type { ReportContext } from './memory.js';
import { find, type JobOutcome, labelOf, paramsOf, problemsOf, rangeCell, setupNoteOf, summarize } from './outcome.js';

const SCENARIO = 'expiry';
/** The rows held to the target: cachewise with either feature on. */
const FEATURE_ROWS = ['cachewise-early-refresh', 'cachewise-swr'];
const BOUND = 2;

function sumOf(outcome: JobOutcome | undefined, field: string): number | undefined {
  const values = (outcome?.runs ?? [])
    .filter((r) => r.status === 'ok')
    .map((r) => r.result?.[field])
    .filter((v): v is number => typeof v === 'number');
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0);
}

function targets(outcomes: readonly JobOutcome[]): string[] {
  const lines: string[] = [];
  for (const peer of FEATURE_ROWS) {
    const outcome = find(outcomes, SCENARIO, peer);
    const label = outcome ? labelOf(outcome) : peer;
    const overP50 = summarize(outcome, 'p99OverHitP50');
    const overP99 = summarize(outcome, 'p99OverHitP99');
    const waited = sumOf(outcome, 'waitedForLoad');
    const calls = sumOf(outcome, 'calls');
    if (overP50 === undefined || overP99 === undefined || waited === undefined || calls === undefined) {
      const why = outcome ? problemsOf(outcome)[0] : undefined;
      lines.push(`- ${label}: **not evaluated** (${why ?? 'no result'})`);
      continue;
    }
    const verdict = (s: { median: number }): string => (s.median <= BOUND ? '**met**' : '**not met**');
    lines.push(
      `- ${label}: caller p99 within ${BOUND}× the hit latency (p50 of a warm hit, same process and concurrency), the target as ` +
        `the issue states it: **${overP50.median.toFixed(2)}×** → ${verdict(overP50)} (median over rounds, range ${rangeCell(overP50, (n) => n.toFixed(2))}×)`,
      `- ${label}: no caller waits for the loader (no call served by a load that began after it called): ` +
        `${waited === 0 ? '**met**' : '**not met**'} — ${waited} of ${calls.toLocaleString('en-US')} calls over all rounds`,
      `- ${label}: caller p99 within ${BOUND}× the warm hit's own p99 (added here: see below): ` +
        `**${overP99.median.toFixed(2)}×** → ${verdict(overP99)} (range ${rangeCell(overP99, (n) => n.toFixed(2))}×)`,
    );
  }
  return lines;
}

/** The markdown of `results/expiry.md`. */
export function renderExpiryReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const scenario = context.scenarios.find((s) => s.id === SCENARIO);
  if (scenario === undefined) return '';
  const p = paramsOf(outcomes, scenario);
  const rows = outcomes.filter((o) => o.scenario === SCENARIO);
  const plain = summarize(find(outcomes, SCENARIO, 'cachewise-plain'), 'hitP99Ms');
  const plainP50 = summarize(find(outcomes, SCENARIO, 'cachewise-plain'), 'hitP50Ms');
  const plainWaited = sumOf(find(outcomes, SCENARIO, 'cachewise-plain'), 'waitedForLoad');
  const plainCalls = sumOf(find(outcomes, SCENARIO, 'cachewise-plain'), 'calls');
  const lines = [
    '# Expiry under load: a hot key with a 1 s TTL',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: the Redis store (a private \`redis-server --save '' --appendonly no\` on a free local port, FLUSHALL before each ` +
      `process), since that is where a fleet shares entries and a load is worth avoiding. ${context.rounds} round${context.rounds === 1 ? '' : 's'}; ` +
      `in each, every row runs in a fresh process (rows rotated between rounds). A process has ${p.callers} callers, each awaiting ` +
      `its calls in turn. First the reference: 0.5 s untimed, then ${p.referenceSeconds} s of warm hits on a key with a 1 h TTL ` +
      `(every call a hit, checked), whose p50 is "hit p50". Then ${p.seconds} s on the hot key, whose entry lives 1 s; the loader ` +
      `sleeps ${LOADER_MS} ms. Per process: loader runs during those ${p.seconds} s, the latency quantiles of every call ` +
      '(nearest rank), the calls that waited for a load, and the calls that took the loader time or more. A call waited for ' +
      'a load when its value came from a load that began after it called (the loader stamps each value with when its load ' +
      'began and the hot key is loaded once, just before the steady phase): that count does not depend on timing, whereas ' +
      `"calls ≥ ${LOADER_MS} ms" also counts calls held up as long by anything else, such as a process descheduled on a busy ` +
      'machine. The table shows the median over rounds; the two call counts and "calls" are totals over rounds; the ratios ' +
      'are taken within each process, then the median over rounds.',
    '',
    '## Targets',
    '',
    ...targets(outcomes),
    '',
    '## Results',
    '',
    `| row | loader runs in ${p.seconds} s | calls | hit p50 ms | hit p99 ms | p50 ms | p99 ms | range | p99.9 ms | max ms | calls that waited for a load | calls ≥ ${LOADER_MS} ms | p99 ÷ hit p50 | p99 ÷ hit p99 | setup |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const outcome of rows) {
    const m = (metric: string) => summarize(outcome, metric);
    const p99 = m('p99Ms');
    if (p99 === undefined) {
      lines.push(
        `| ${labelOf(outcome)} | — | — | — | — | — | — | — | — | — | — | — | — | — | ${setupNoteOf(outcome)} (no result, see notes) |`,
      );
      continue;
    }
    const cell = (metric: string, format = fmt): string => {
      const s = m(metric);
      return s === undefined ? '—' : format(s.median);
    };
    const ratio = (n: number): string => `${n.toFixed(2)}×`;
    lines.push(
      `| ${labelOf(outcome)} | ${cell('loads', String)} | ${(sumOf(outcome, 'calls') ?? 0).toLocaleString('en-US')} | ` +
        `${cell('hitP50Ms')} | ${cell('hitP99Ms')} | ${cell('p50Ms')} | ${fmt(p99.median)} | ${rangeCell(p99, fmt)} | ` +
        `${cell('p999Ms')} | ${cell('maxMs')} | ${sumOf(outcome, 'waitedForLoad') ?? '—'} | ` +
        `${sumOf(outcome, 'slowerThanLoader') ?? '—'} | ${cell('p99OverHitP50', ratio)} | ` +
        `${cell('p99OverHitP99', ratio)} | ${setupNoteOf(outcome)} |`,
    );
  }
  lines.push(
    '',
    'Why a second bound, and why the count decides: on this shared 2-core machine a warm hit is not one latency but a ' +
      'spread. ' +
      (plain && plainP50
        ? `In the neither-feature row's reference phase (hits only, no expiry) p99 was ${fmt(plain.median)} ms against a p50 of ` +
          `${fmt(plainP50.median)} ms: `
        : '') +
      'the slowest 1% of plain hits already take many times the median (on cores shared with Redis and other work), so ' +
      "the issue's target (p99 within 2× the hit p50) can fail for plain hits alone. Nor " +
      'does p99 see callers that wait for the loader when they are few: ' +
      (plainWaited !== undefined && plainCalls !== undefined && plainCalls > 0
        ? `without either feature ${plainWaited} of ${plainCalls.toLocaleString('en-US')} calls waited ` +
          `(${((100 * plainWaited) / plainCalls).toFixed(3)}%), far beyond the 99th percentile. `
        : 'a handful of callers per expiry is a tiny share of the calls. ') +
      'The count of calls that waited for a load is what tells whether any caller waited; p99 against the hit p99 shows ' +
      'that the features add no tail of their own. The reference phase runs first, right after a short warm-up, so its ' +
      'p99 can exceed the steady phase’s.',
    '',
    'bentocache 1.6.1 has a grace period (stale-while-revalidate: with its default soft timeout 0 it returns the graced ' +
      'value at once and refreshes in the background) but no early expiration, so it has one row.',
    '',
  );
  const problems = rows.flatMap(problemsOf);
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((x) => `- ${x}`), '');
  return lines.join('\n');
}
