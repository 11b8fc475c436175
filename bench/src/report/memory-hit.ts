import { fmt } from '../harness/stats.js';
import type { Scenario } from '../scenarios/index.js';
import {
  find,
  type JobOutcome,
  labelOf,
  problemsOf,
  rangeCell,
  setupNoteOf,
  summarize,
  UNSTABLE_NOTE,
} from './outcome.js';
import { divide, pairedSummary, ratioCell, ratioTarget } from './paired.js';

const BASELINE = 'lru-cache';
const CACHEWISE = 'cachewise-cached';
/** The cachewise rows held to ≤ 2× lru-cache: the default key, a key function, a tags function. */
const HELD_TO_2X = ['cachewise-cached', 'cachewise-cached-key', 'cachewise-cached-tags'];
/** The libraries `@Cached` must beat outright; lru-cache has its own target (≤ 2×). */
const RIVALS = ['cache-manager', 'bentocache', 'type-cacheable'];
const METRIC = 'nsPerOp';

/** The working-set sizes the scenario runs, in variant order. */
export function keyCounts(scenario: Scenario): number[] {
  return scenario.variants.map((v) => v.keys ?? scenario.params.keys).filter((k): k is number => k !== undefined);
}

function jobsOf(outcomes: readonly JobOutcome[], scenario: Scenario, keys: number): JobOutcome[] {
  return outcomes.filter((o) => o.scenario === scenario.id && (o.variant.keys ?? scenario.params.keys) === keys);
}

/** The parameters the children of one variant ran with (a quick run shrinks them). */
function variantParams(rows: readonly JobOutcome[]): Record<string, number> {
  return rows.flatMap((o) => o.runs).find((r) => Object.keys(r.params).length > 0)?.params ?? {};
}

const n = (value: number | undefined): string => value?.toLocaleString('en-US') ?? '?';

/** One table per working-set size; ratios are medians of same-round ratios. */
export function hitTables(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const lines: string[] = [];
  for (const keys of keyCounts(scenario)) {
    const rows = jobsOf(outcomes, scenario, keys);
    const p = variantParams(rows);
    const base = find(rows, scenario.id, BASELINE);
    const ours = find(rows, scenario.id, CACHEWISE);
    lines.push(
      `## Hit path, ${n(keys)} keys (warm, ids 1..${n(keys)}, ${n(p.ops)} sequential awaits a pass, capacity ${n(p.capacity)})`,
      '',
      '| peer | ns/op (median) | range over rounds | ops/s | × lru-cache | × cachewise @Cached | setup |',
      '|---|---:|---:|---:|---:|---:|---|',
    );
    let unstable = false;
    for (const outcome of rows) {
      const s = summarize(outcome, METRIC);
      if (s === undefined) {
        lines.push(`| ${labelOf(outcome)} | — | — | — | — | — | ${setupNoteOf(outcome)} (no result, see notes) |`);
        continue;
      }
      const range = rangeCell(s, fmt);
      unstable ||= range.endsWith('⚠');
      lines.push(
        `| ${labelOf(outcome)} | ${fmt(s.median)} | ${range} | ${fmt(1e9 / s.median)} | ` +
          `${ratioCell(pairedSummary(outcome, base, METRIC, divide))} | ${ratioCell(pairedSummary(outcome, ours, METRIC, divide))} | ` +
          `${setupNoteOf(outcome)} |`,
      );
    }
    lines.push('');
    if (unstable) lines.push(UNSTABLE_NOTE, '');
  }
  lines.push(
    "× columns: the median over rounds of the ratio of the two rows' ns/op in the same round (rounds interleave the " +
      'peers, so this cancels drift of the machine between rounds); lower is faster.',
  );
  return lines;
}

/** A line per target, judged on the medians of same-round ratios; nothing is hard-coded. */
export function hitTargets(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const lines: string[] = [];
  for (const keys of keyCounts(scenario)) {
    const rows = jobsOf(outcomes, scenario, keys);
    const base = find(rows, scenario.id, BASELINE);
    for (const peer of HELD_TO_2X) {
      const outcome = find(rows, scenario.id, peer);
      const label = outcome ? labelOf(outcome) : peer;
      lines.push(
        ratioTarget(`${label} ≤ 2× lru-cache fetch(), ${n(keys)} keys`, pairedSummary(outcome, base, METRIC, divide), {
          atMost: 2,
        }),
      );
    }
  }
  for (const keys of keyCounts(scenario)) {
    const rows = jobsOf(outcomes, scenario, keys);
    const ours = find(rows, scenario.id, CACHEWISE);
    const verdicts = RIVALS.map((peer) => {
      const outcome = find(rows, scenario.id, peer);
      // How many times slower the rival is than @Cached, round by round.
      const s = pairedSummary(outcome, ours, METRIC, divide);
      const label = outcome ? labelOf(outcome) : peer;
      return {
        beaten: s !== undefined && s.median > 1,
        text: s ? `${label} ${s.median.toFixed(2)}× @Cached's time` : `${label}: no result`,
      };
    });
    lines.push(
      `- cachewise @Cached faster than every peer library, ${n(keys)} keys: ` +
        `${verdicts.every((v) => v.beaten) ? '**met**' : '**not met**'} — ${verdicts.map((v) => v.text).join('; ')} (median of same-round ratios)`,
    );
  }
  return lines;
}

/** Why rows of the hit tables have no number, with the variant named. */
export function hitProblems(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  return outcomes
    .filter((o) => o.scenario === scenario.id)
    .flatMap((o) => problemsOf(o).map((p) => `${n(o.variant.keys ?? scenario.params.keys)} keys: ${p}`));
}
