import { fmt, ratio } from '../harness/stats.js';
import type { Scenario } from '../scenarios/index.js';
import { hitProblems, hitTables, hitTargets, keyCounts } from './memory-hit.js';
import { find, type JobOutcome, labelOf, paramsOf, problemsOf, rangeCell, summarize } from './outcome.js';
import { pairedSummary, subtract } from './paired.js';

export interface ReportContext {
  machine: string;
  rounds: number;
  command: string;
  minutes: number;
  /** Shown under the heading, e.g. that the code under test changed during the run. */
  warnings: readonly string[];
  scenarios: readonly Scenario[];
}

/** The row the heap table's "over the values" columns subtract: the payload alone. */
const VALUES = 'values-only';

/**
 * The heap table's rows differ by their keys as much as by their code: each row's key shape,
 * and for the two lru-cache rows a label that says which keys they hold.
 */
const SIZE_ROWS: Readonly<Record<string, { label?: string; keys: string }>> = {
  'values-only': { label: 'values alone (array indexed by id)', keys: 'none (8-byte array slot)' },
  'raw-map': { keys: '`user:<id>` (template string)' },
  'lru-cache': { label: 'lru-cache fetch(), short string keys', keys: '`user:<id>` (template string)' },
  'lru-cache-namespaced': {
    label: 'lru-cache fetch(), namespaced string keys',
    keys: '`bench:m:Repo.findById:n<id>` (template string)',
  },
  'cachewise-cached': { keys: '`bench:m:Repo.findById:n<id>` (built by `@Cached`)' },
  'cachewise-cached-key': { keys: "`bench:k:user:<id>` (the key function's `user:<id>` under the namespace)" },
  'cachewise-cached-tags': { keys: '`bench:m:Repo.findById:n<id>`, and a tag `user:<id>` each' },
};

/** Bytes per entry over the values alone, median of same-round differences. */
function overValuesCell(outcome: JobOutcome, values: JobOutcome | undefined, metric: string): string {
  if (outcome.peer === VALUES) return '0';
  const s = pairedSummary(outcome, values, metric, subtract);
  return s === undefined ? '—' : fmt(s.median);
}

function sizeSection(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const rows = outcomes.filter((o) => o.scenario === scenario.id);
  const raw = summarize(find(outcomes, scenario.id, 'raw-map'), 'heapBytesPerEntry');
  const values = find(outcomes, scenario.id, VALUES);
  const lines = [
    `## Heap per entry (${paramsOf(outcomes, scenario).entries?.toLocaleString('en-US')} entries of ~210-byte objects, capacity = entries)`,
    '',
    '| store | keys | heapUsed bytes/entry (median) | range over rounds | heapUsed + ArrayBuffers bytes/entry | × raw Map (heapUsed) | over the values: heapUsed | over the values: heapUsed + ArrayBuffers |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const outcome of rows) {
    const heap = summarize(outcome, 'heapBytesPerEntry');
    const all = summarize(outcome, 'heapAndArrayBuffersPerEntry');
    const row = SIZE_ROWS[outcome.peer];
    const head = `| ${row?.label ?? labelOf(outcome)} | ${row?.keys ?? '—'}`;
    if (heap === undefined || all === undefined) {
      lines.push(`${head} | — | — | — | — | — | — |`);
      continue;
    }
    lines.push(
      `${head} | ${fmt(heap.median)} | ${rangeCell(heap, fmt)} | ${fmt(all.median)} | ${raw ? ratio(heap.median, raw.median) : '—'} | ` +
        `${overValuesCell(outcome, values, 'heapBytesPerEntry')} | ${overValuesCell(outcome, values, 'heapAndArrayBuffersPerEntry')} |`,
    );
  }
  lines.push(
    '',
    'Growth of `process.memoryUsage().heapUsed` from before the cache is created to after every entry is written through ' +
      "the peer's normal path (the raw Map: get-or-set by hand), with gc() run to a settled heap at both ends, in a fresh " +
      '`node --expose-gc` process each. The values themselves are included: the "values alone" row holds only them, in an ' +
      'array allocated up front (value plus an 8-byte slot, no key), and the raw Map row is the floor for a keyed store. ' +
      '"Over the values" is a row\'s bytes per entry minus the values-alone row\'s, median of same-round differences: what keys, ' +
      'links, expiry and bookkeeping cost per entry. lru-cache and ' +
      'the cachewise memory store keep list links (and expiry times) in typed arrays, whose memory is outside the V8 heap ' +
      '(ArrayBuffers): hence the second column of each pair. ' +
      'Keys are part of each entry: `@Cached` stores `<namespace>:m:<Class>.<method>:<args>` keys, 23 + digits characters here, ' +
      'against 5 + digits for `user:<id>`, so the namespaced lru-cache row holds the same keys as the cachewise @Cached row and is the ' +
      "like-for-like comparison; with a key function cachewise stores `<namespace>:k:<the function's key>`, 13 + digits characters here.",
  );
  return lines;
}

/** The markdown of `results/memory.md`. */
export function renderMemoryReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const hit = context.scenarios.find((s) => s.id === 'memory-hit');
  const size = context.scenarios.find((s) => s.id === 'memory-size');
  const sizeProblems = size ? outcomes.filter((o) => o.scenario === size.id).flatMap(problemsOf) : [];
  const problems = [...(hit ? hitProblems(outcomes, hit) : []), ...sizeProblems];
  const hitParams = hit && paramsOf(outcomes, hit);
  const lines = [
    '# Memory: hit path and heap per entry',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: ${context.rounds} round${context.rounds === 1 ? '' : 's'}; in each, every (scenario, peer, working-set size) runs in a fresh \`node --expose-gc\` process, ` +
      'and the order of jobs is rotated from one round to the next. ' +
      (hit && hitParams
        ? `A hit-path process warms ids 1..keys (keys = ${keyCounts(hit)
            .map((k) => k.toLocaleString('en-US'))
            .join(' and ')}, ` +
          'one process each, every key a hit afterwards: capacity is at least keys and warming must run the loader exactly keys times), ' +
          `runs one untimed pass, then ${hitParams.passes} timed passes of ` +
          `${hitParams.ops?.toLocaleString('en-US')} sequential awaited calls over ids 1..keys in turn (gc() before each) and reports the ` +
          'median pass; it fails if the loader runs during the timed passes. '
        : '') +
      'Tables show the median over rounds and the range, since the machine is shared and the same job moves by 10–35% between rounds.',
    '',
  ];
  if (hit) lines.push('## Targets', '', ...hitTargets(outcomes, hit), '', ...hitTables(outcomes, hit), '');
  if (size) lines.push(...sizeSection(outcomes, size), '');
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
