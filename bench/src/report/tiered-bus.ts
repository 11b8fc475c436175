import { fmt } from '../harness/stats.js';
import type { Scenario } from '../scenarios/index.js';
import { type JobOutcome, labelOf, problemsOf } from './outcome.js';

/** Bus propagation target (issue 9): p99 under this many ms on loopback. */
export const BUS_P99_MS = 5;

/** The result of a scenario's one round for a variant; undefined if it did not produce one. */
export function firstResult(outcome: JobOutcome | undefined): Record<string, unknown> | undefined {
  return outcome?.runs.find((r) => r.status === 'ok')?.result;
}

const modeOf = (paceMs: number | undefined): string =>
  paceMs ? `paced (≥ ${paceMs} ms between invalidations)` : 'back to back (each awaited)';

function jobs(outcomes: readonly JobOutcome[], scenario: Scenario): JobOutcome[] {
  return outcomes.filter((o) => o.scenario === scenario.id);
}

export function busTargets(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  return jobs(outcomes, scenario).map((o) => {
    const r = firstResult(o);
    const name = `bus propagation p99 < ${BUS_P99_MS} ms, invalidateTags → L1 drop in another process, ${modeOf(o.variant.paceMs)}`;
    if (r === undefined || typeof r.p99Ms !== 'number') return `- ${name}: **not evaluated** (no result; see notes)`;
    return `- ${name}: **${fmt(r.p99Ms)} ms** → ${r.p99Ms < BUS_P99_MS ? '**met**' : '**not met**'} (p50 ${fmt(Number(r.p50Ms))} ms over ${Number(r.messages).toLocaleString('en-US')} invalidations, one run)`;
  });
}

export function busSection(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const rows = jobs(outcomes, scenario);
  const lines = [
    '## Bus propagation: `invalidateTags` in one process → L1 drop in another',
    '',
    `| mode | invalidations | p50 ms | p99 ms | p99.9 ms | max ms | ≥ ${BUS_P99_MS} ms (in how many runs of consecutive messages) | subscription drops | keys reloaded after | setup |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const o of rows) {
    const r = firstResult(o);
    const setup = o.runs.find((run) => run.setupNote)?.setupNote ?? labelOf(o);
    if (r === undefined) {
      lines.push(`| ${modeOf(o.variant.paceMs)} | — | — | — | — | — | — | — | — | ${setup} |`);
      continue;
    }
    const n = (key: string): string => fmt(Number(r[key]));
    lines.push(
      `| ${modeOf(o.variant.paceMs)} | ${Number(r.messages).toLocaleString('en-US')} | ${n('p50Ms')} | ${n('p99Ms')} | ` +
        `${n('p999Ms')} | ${n('maxMs')} | ${String(r.late)} (${String(r.stalls)}) | ${String(r.subscriptionDrops)} | ${Number(r.reloads).toLocaleString('en-US')} | ${setup} |`,
    );
  }
  lines.push(
    '',
    'Two processes, each with the tiered cache on its own ioredis client to the private server. The subscriber process ' +
      'holds one key per tag (`k<i>` tagged `t<i>`), read until every one is an L1 hit (a pass over them must run no ' +
      'loader and send no Redis command). The other process then calls `cache.invalidateTags([`t<i>`])` for each i in ' +
      'turn, awaiting each (the L2 invalidation, then the publish), and notes the monotonic clock (`process.hrtime`, ' +
      'shared by the processes of one machine) just before the call. The subscriber wraps its bus so that it notes the ' +
      "clock right after the tiered store's own handler returned, that is once the L1 copies of the tag are dropped. " +
      'Delay = drop time − call time, matched message by message (each message must name the tag of its turn). ' +
      'Afterwards every one of the subscriber’s keys must run its loader again ("keys reloaded"), and the bus must ' +
      'not have dropped its subscription. One run per mode: each is already thousands of samples. A stall of either ' +
      'process or of Redis (a GC pause, or the scheduler on a busy 2-core machine) delays every message sent during it, ' +
      'back to back far more of them than paced: the late messages are counted with the number of runs of consecutive ' +
      'late messages they form, so a p99 made by one stall reads as one.',
    '',
  );
  return lines;
}

export function busProblems(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  return jobs(outcomes, scenario).flatMap((o) => problemsOf(o).map((p) => `${modeOf(o.variant.paceMs)}: ${p}`));
}
