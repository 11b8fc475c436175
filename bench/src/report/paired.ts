import { max, median, min } from '../harness/stats.js';
import type { JobOutcome, Summary } from './outcome.js';

/**
 * `combine(a, b)` of two jobs' `metric`, round by round, over the rounds where both have a
 * number. Rounds interleave the jobs, so a per-round ratio or difference cancels most of the
 * machine's drift between rounds, which medians taken apart do not.
 */
export function perRound(
  a: JobOutcome | undefined,
  b: JobOutcome | undefined,
  metric: string,
  combine: (x: number, y: number) => number,
): number[] {
  if (a === undefined || b === undefined) return [];
  const values: number[] = [];
  // Every round pushes one run per job (a skipped or failed one too), so index i is round i for both.
  for (let i = 0; i < Math.min(a.runs.length, b.runs.length); i++) {
    const x = a.runs[i]?.status === 'ok' ? a.runs[i]?.result?.[metric] : undefined;
    const y = b.runs[i]?.status === 'ok' ? b.runs[i]?.result?.[metric] : undefined;
    if (typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y))
      values.push(combine(x, y));
  }
  return values;
}

/** The median and range of {@link perRound}; undefined when no round has both numbers. */
export function pairedSummary(
  a: JobOutcome | undefined,
  b: JobOutcome | undefined,
  metric: string,
  combine: (x: number, y: number) => number,
): Summary | undefined {
  const values = perRound(a, b, metric, combine);
  if (values.length === 0) return undefined;
  return { median: median(values), min: min(values), max: max(values), n: values.length };
}

export const divide = (x: number, y: number): number => x / y;
export const subtract = (x: number, y: number): number => x - y;

/** A same-round ratio for a table cell: `1.23×`, or `—` without one. */
export function ratioCell(s: Summary | undefined): string {
  return s === undefined ? '—' : `${s.median.toFixed(2)}×`;
}

/**
 * One target line: met or not met, judged on the median of the same-round ratios, with the
 * range and the number of rounds, so the verdict can be checked against the table.
 */
export function ratioTarget(
  name: string,
  s: Summary | undefined,
  bound: { atMost: number } | { atLeast: number },
): string {
  if (s === undefined) return `- ${name}: **not evaluated** (no round has both rows; see notes)`;
  const met = 'atMost' in bound ? s.median <= bound.atMost : s.median >= bound.atLeast;
  return (
    `- ${name}: **${s.median.toFixed(2)}×** → ${met ? '**met**' : '**not met**'} ` +
    `(median of ${s.n} same-round ratio${s.n === 1 ? '' : 's'}, range ${s.min.toFixed(2)}–${s.max.toFixed(2)}×)`
  );
}
