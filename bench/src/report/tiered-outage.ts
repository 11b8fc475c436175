import { fmt } from '../harness/stats.js';
import type { Scenario } from '../scenarios/index.js';
import { type JobOutcome, problemsOf } from './outcome.js';
import { firstResult } from './tiered-bus.js';

/** Outage target (issue 9): calls served at least this fraction of the uncached method's rate. */
export const OUTAGE_RATIO = 0.9;

interface MethodResult {
  id: string;
  label: string;
  uncachedPerSec: number;
  servedPerSec: number;
  ratio: number;
  ratioMin: number;
  ratioMax: number;
  pooledRatio: number;
  callsPerWindow: number;
}

const faultOf = (kill: number | undefined): string =>
  kill === 1 ? 'Redis killed (SIGKILL)' : 'Redis paused (SIGSTOP)';

function methodsOf(result: Record<string, unknown> | undefined): MethodResult[] {
  return Array.isArray(result?.methods) ? (result.methods as MethodResult[]) : [];
}

export function outageTargets(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  return outcomes
    .filter((o) => o.scenario === scenario.id)
    .map((o) => {
      const methods = methodsOf(firstResult(o));
      const name = `calls served during the outage ≥ ${OUTAGE_RATIO}× the uncached method's rate, ${faultOf(o.variant.kill)}`;
      if (methods.length === 0) return `- ${name}: **not evaluated** (no result; see notes)`;
      const met = methods.filter((m) => m.ratio >= OUTAGE_RATIO);
      const verdict =
        met.length === methods.length ? '**met**' : met.length === 0 ? '**not met**' : '**met for some methods**';
      return (
        `- ${name}: ${verdict} — ` +
        methods
          .map((m) => `${m.label} **${m.ratio.toFixed(2)}×** ${m.ratio >= OUTAGE_RATIO ? 'met' : 'not met'}`)
          .join('; ') +
        ' (median of the alternating pairs, one run)'
      );
    });
}

export function outageSection(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const rows = outcomes.filter((o) => o.scenario === scenario.id);
  const params = rows.flatMap((o) => o.runs).find((r) => Object.keys(r.params).length > 0)?.params ?? scenario.params;
  const lines = [
    '## Calls served during a Redis outage',
    '',
    '| fault | method | uncached calls/s | cached calls/s during the outage | ratio (median) | range over pairs | pooled ratio | reached the outage state in | slowest call until then | L1 hits until then |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const o of rows) {
    const r = firstResult(o);
    const methods = methodsOf(r);
    if (r === undefined || methods.length === 0) {
      lines.push(`| ${faultOf(o.variant.kill)} | — | — | — | — | — | — | — | — | — |`);
      continue;
    }
    for (const [i, m] of methods.entries()) {
      const settle =
        i === 0
          ? `${fmt(Number(r.settleMs))} ms | ${fmt(Number(r.settleSlowestCallMs))} ms | ${Number(r.settleServedFromL1).toLocaleString('en-US')}`
          : ' |  | ';
      lines.push(
        `| ${i === 0 ? faultOf(o.variant.kill) : ''} | ${m.label} | ${fmt(m.uncachedPerSec)} | ${fmt(m.servedPerSec)} | ` +
          `${m.ratio.toFixed(3)} | ${m.ratioMin.toFixed(2)}–${m.ratioMax.toFixed(2)} | ${m.pooledRatio.toFixed(3)} | ${settle} |`,
      );
    }
  }
  lines.push(
    '',
    `One process with \`@Cached({ ttl: '5m' })\` methods on the tiered cache (memory L1, \`redisStore\`, \`redisBus\`) and the ` +
      "issue's settings `storeTimeout: '100ms'`, `circuitBreaker: { failures: 5, cooldown: '5s' }`, over a redis-server the " +
      `process starts for itself. Every method's ids 1..${params.keys} are read until each is an L1 hit; then the server is ` +
      'paused (SIGSTOP: connections stay open, nothing answers) or killed (SIGKILL). The process calls the cheapest method ' +
      'over its ids, yielding to the event loop once a pass (as calls that come from sockets would), until the breaker ' +
      'is open and a whole pass ran the method for every id (the breaker guards the whole ' +
      'tiered store, so once open no L1 copy is served either): "reached the outage state in", the slowest call until ' +
      'then, and how many of those calls were still answered from L1. Then, ' +
      `per method, ${params.pairs} pairs of windows of about ${params.windowMs} ms each, the method called alone and the ` +
      'same number of calls through its `@Cached` form, sequentially over the ids, alternating which goes first. ' +
      'Ratio = alone time / cached time, per pair; "pooled" divides the summed times instead, so it also carries any ' +
      'half-open probe (one per cooldown, which waits up to `storeTimeout`) that fell in a window. One run per fault.',
    '',
    'What the ratios mean: during an outage a cached call runs the method plus what the cache does around it (the ' +
      'read and the write that the open breaker refuses, counted in `stats()`). That is a fixed cost per call, ' +
      'so the ratio is near 1 for a method that costs a database round trip and low for a method that costs next to nothing.',
    '',
  );
  return lines;
}

export function outageProblems(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  return outcomes
    .filter((o) => o.scenario === scenario.id)
    .flatMap((o) => problemsOf(o).map((p) => `${faultOf(o.variant.kill)}: ${p}`));
}
