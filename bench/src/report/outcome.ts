import { max, median, min } from '../harness/stats.js';
import type { RunResult } from '../run-one.js';
import type { Params, Scenario } from '../scenarios/index.js';

/** Every round's result for one job: a (scenario, peer, variant). */
export interface JobOutcome {
  readonly scenario: string;
  readonly peer: string;
  readonly variant: Params;
  readonly runs: RunResult[];
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  /** Rounds that produced a number. */
  n: number;
}

/** A job's row label, from the first run that loaded the peer. */
export function labelOf(outcome: JobOutcome): string {
  return outcome.runs.find((r) => r.label !== undefined)?.label ?? outcome.peer;
}

export function setupNoteOf(outcome: JobOutcome): string {
  return outcome.runs.find((r) => r.setupNote !== undefined)?.setupNote ?? '';
}

/** The median over rounds of one number each round reported; undefined if no round did. */
export function summarize(outcome: JobOutcome | undefined, metric: string): Summary | undefined {
  const values = (outcome?.runs ?? [])
    .filter((r) => r.status === 'ok')
    .map((r) => r.result?.[metric])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return undefined;
  return { median: median(values), min: min(values), max: max(values), n: values.length };
}

/** Rounds further apart than this mark a row as unstable. */
export const UNSTABLE_SPREAD = 1.5;

/** `min–max`, flagged with ⚠ when the rounds disagree by more than {@link UNSTABLE_SPREAD}×. */
export function rangeCell(s: Summary, format: (n: number) => string): string {
  return `${format(s.min)}–${format(s.max)}${s.max > UNSTABLE_SPREAD * s.min ? ' ⚠' : ''}`;
}

export const UNSTABLE_NOTE = `⚠: the rounds of this row differ by more than ${UNSTABLE_SPREAD}× (fastest vs slowest), so its ratios are rough.`;

/** Why a job has no number, or some rounds failed: for the notes under a table. */
export function problemsOf(outcome: JobOutcome): string[] {
  const reasons = new Map<string, number>();
  for (const run of outcome.runs) {
    if (run.status === 'ok') continue;
    const key = `${run.status}: ${run.reason ?? 'no reason given'}`;
    reasons.set(key, (reasons.get(key) ?? 0) + 1);
  }
  return [...reasons].map(
    ([reason, count]) => `${labelOf(outcome)} — ${reason} (${count} of ${outcome.runs.length} rounds)`,
  );
}

export function find(
  outcomes: readonly JobOutcome[],
  scenario: string,
  peer: string,
  variant: Params = {},
): JobOutcome | undefined {
  return outcomes.find(
    (o) => o.scenario === scenario && o.peer === peer && Object.entries(variant).every(([k, v]) => o.variant[k] === v),
  );
}

/** The parameters the children actually ran with (a quick run shrinks them), else the scenario's. */
export function paramsOf(outcomes: readonly JobOutcome[], scenario: Scenario): Params {
  for (const outcome of outcomes) {
    if (outcome.scenario !== scenario.id) continue;
    const run = outcome.runs.find((r) => Object.keys(r.params).length > 0);
    if (run !== undefined) return run.params;
  }
  return { ...scenario.params };
}
