import { fmt, median, ratio } from '../harness/stats.js';
import type { Scenario } from '../scenarios/index.js';
import { find, labelOf, paramsOf, problemsOf, rangeCell, setupNoteOf, summarize, UNSTABLE_NOTE, type JobOutcome } from './outcome.js';

const CACHEWISE = 'cachewise-cached';
const BASELINE = 'lru-cache';
/** The libraries `@Cached` must beat outright; lru-cache has its own target (≤ 2×). */
const RIVALS = ['cache-manager', 'bentocache', 'type-cacheable'];

export interface ReportContext {
  machine: string;
  rounds: number;
  command: string;
  minutes: number;
  /** Shown under the heading, e.g. that the code under test changed during the run. */
  warnings: readonly string[];
  scenarios: readonly Scenario[];
}

/** Per-round ratio of two peers' ns/op: rounds interleave peers, so this cancels drift of the machine. */
function perRoundRatios(a: JobOutcome | undefined, b: JobOutcome | undefined): number[] {
  if (a === undefined || b === undefined) return [];
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.runs.length, b.runs.length); i++) {
    const x = a.runs[i]?.result?.nsPerOp;
    const y = b.runs[i]?.result?.nsPerOp;
    if (typeof x === 'number' && typeof y === 'number') ratios.push(x / y);
  }
  return ratios;
}

function hitSection(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const p = paramsOf(outcomes, scenario);
  const rows = outcomes.filter((o) => o.scenario === scenario.id);
  const base = summarize(find(outcomes, scenario.id, BASELINE), 'nsPerOp');
  const ours = summarize(find(outcomes, scenario.id, CACHEWISE), 'nsPerOp');
  const lines = [
    `## Hit path (warm, ids 1..${p.keys}, ${p.ops?.toLocaleString('en-US')} sequential awaits a pass)`,
    '',
    '| peer | ns/op (median) | range over rounds | ops/s | × lru-cache | × cachewise @Cached | setup |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const outcome of rows) {
    const s = summarize(outcome, 'nsPerOp');
    if (s === undefined) {
      lines.push(`| ${labelOf(outcome)} | — | — | — | — | — | ${setupNoteOf(outcome)} (no result, see notes) |`);
      continue;
    }
    lines.push(
      `| ${labelOf(outcome)} | ${fmt(s.median)} | ${rangeCell(s, fmt)} | ${fmt(1e9 / s.median)} | ` +
        `${base ? ratio(s.median, base.median) : '—'} | ${ours ? ratio(s.median, ours.median) : '—'} | ${setupNoteOf(outcome)} |`,
    );
  }
  lines.push('', UNSTABLE_NOTE, '', '### Targets', '');
  if (ours === undefined || base === undefined) {
    lines.push('- Not evaluated: the cachewise or lru-cache row has no result.');
    return lines;
  }
  const rounds = perRoundRatios(find(outcomes, scenario.id, CACHEWISE), find(outcomes, scenario.id, BASELINE));
  const t1 = ours.median <= 2 * base.median;
  lines.push(
    `- cachewise @Cached ≤ 2× lru-cache fetch(): ${fmt(ours.median)} ns vs ${fmt(base.median)} ns = ` +
      `**${ratio(ours.median, base.median)}** → ${t1 ? '**met**' : '**not met**'}` +
      (rounds.length > 0
        ? ` (same-round ratios: median ${median(rounds).toFixed(2)}×, range ${Math.min(...rounds).toFixed(2)}–${Math.max(...rounds).toFixed(2)}×)`
        : ''),
  );
  const verdicts = RIVALS.map((peer) => {
    const outcome = find(outcomes, scenario.id, peer);
    const s = summarize(outcome, 'nsPerOp');
    if (outcome === undefined || s === undefined) return { peer, text: `${peer}: no result`, beaten: false };
    const beaten = ours.median < s.median;
    const by = beaten ? `${(s.median / ours.median).toFixed(2)}× slower than @Cached` : `${(ours.median / s.median).toFixed(2)}× faster than @Cached`;
    return { peer, text: `${labelOf(outcome)} ${fmt(s.median)} ns (${by})`, beaten };
  });
  const t2 = verdicts.every((v) => v.beaten);
  lines.push(
    `- cachewise @Cached faster than every peer library: ${t2 ? '**met**' : '**not met**'} — ${verdicts.map((v) => v.text).join('; ')}. ` +
      `lru-cache fetch() is the baseline, judged by the 2× target above (${ours.median < base.median ? 'cachewise is faster' : 'cachewise is slower'}).`,
  );
  return lines;
}

/**
 * The heap table's rows differ by their keys as much as by their code: each row's key shape,
 * and for the two lru-cache rows a label that says which keys they hold.
 */
const SIZE_ROWS: Readonly<Record<string, { label?: string; keys: string }>> = {
  'raw-map': { keys: '`user:<id>` (template string)' },
  'lru-cache': { label: 'lru-cache fetch(), short string keys', keys: '`user:<id>` (template string)' },
  'lru-cache-namespaced': { label: 'lru-cache fetch(), namespaced string keys', keys: '`bench:m:Repo.findById:n<id>` (template string)' },
  'cachewise-cached': { keys: '`bench:m:Repo.findById:n<id>` (built by `@Cached`)' },
};

function sizeSection(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const rows = outcomes.filter((o) => o.scenario === scenario.id);
  const raw = summarize(find(outcomes, scenario.id, 'raw-map'), 'heapBytesPerEntry');
  const lines = [
    `## Heap per entry (${paramsOf(outcomes, scenario).entries?.toLocaleString('en-US')} entries of ~210-byte objects, capacity = entries)`,
    '',
    '| store | keys | heapUsed bytes/entry (median) | range over rounds | heapUsed + ArrayBuffers bytes/entry | × raw Map (heapUsed) |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const outcome of rows) {
    const heap = summarize(outcome, 'heapBytesPerEntry');
    const all = summarize(outcome, 'heapAndArrayBuffersPerEntry');
    const row = SIZE_ROWS[outcome.peer];
    const head = `| ${row?.label ?? labelOf(outcome)} | ${row?.keys ?? '—'}`;
    if (heap === undefined || all === undefined) {
      lines.push(`${head} | — | — | — | — |`);
      continue;
    }
    lines.push(
      `${head} | ${fmt(heap.median)} | ${rangeCell(heap, fmt)} | ${fmt(all.median)} | ${raw ? ratio(heap.median, raw.median) : '—'} |`,
    );
  }
  lines.push(
    '',
    'Growth of `process.memoryUsage().heapUsed` from before the cache is created to after every entry is written through ' +
      "the peer's normal path (the raw Map: get-or-set by hand), with gc() run to a settled heap at both ends, in a fresh " +
      '`node --expose-gc` process each. The values themselves are included: the raw Map row is the floor. lru-cache and ' +
      'the cachewise memory store keep list links (and expiry times) in typed arrays, whose memory is outside the V8 heap ' +
      '(ArrayBuffers): hence the second column. ' +
      'Keys are part of each entry: `@Cached` stores `<namespace>:m:<Class>.<method>:<args>` keys, 25 + digits characters here, ' +
      'against 5 + digits for `user:<id>`, so the namespaced lru-cache row holds the same keys as the cachewise row and is the like-for-like ' +
      'comparison; the short-key row is kept as it was.',
  );
  return lines;
}

/** The markdown of `results/memory.md`. */
export function renderMemoryReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const hit = context.scenarios.find((s) => s.id === 'memory-hit');
  const size = context.scenarios.find((s) => s.id === 'memory-size');
  const problems = outcomes.flatMap(problemsOf);
  const hitParams = hit && paramsOf(outcomes, hit);
  const lines = [
    '# Memory: hit path and heap per entry',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: ${context.rounds} rounds; in each, every (scenario, peer) runs in a fresh \`node --expose-gc\` process, ` +
      'and the order of peers is rotated from one round to the next. ' +
      (hitParams
        ? `A hit-path process warms ids 1..${hitParams.keys}, runs one untimed pass, then ${hitParams.passes} timed passes of ` +
          `${hitParams.ops?.toLocaleString('en-US')} sequential awaited calls (gc() before each) and reports the median pass; ` +
          'it fails if the loader runs during the timed passes. '
        : '') +
      'Tables show the median over rounds and the range, since the machine is shared and the same job moves by 10–35% between rounds.',
    '',
  ];
  if (hit) lines.push(...hitSection(outcomes, hit), '');
  if (size) lines.push(...sizeSection(outcomes, size), '');
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
