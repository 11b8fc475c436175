import { fmt } from '../harness/stats.js';
import type { Scenario } from '../scenarios/index.js';
import type { ReportContext } from './memory.js';
import {
  find,
  type JobOutcome,
  labelOf,
  paramsOf,
  problemsOf,
  rangeCell,
  setupNoteOf,
  summarize,
  UNSTABLE_NOTE,
} from './outcome.js';
import { divide, pairedSummary, ratioCell, ratioTarget } from './paired.js';
import { busProblems, busSection, busTargets } from './tiered-bus.js';
import { outageProblems, outageSection, outageTargets } from './tiered-outage.js';

const BASELINE = 'lru-cache';
const CACHEWISE = 'cachewise-cached';
/** The cachewise rows held to ≤ 2× lru-cache `fetch()`. */
const HELD_TO_2X = ['cachewise-cached', 'cachewise-wrap'];
/** The tiered peers `@Cached` on the tiered store is compared with. */
const RIVALS = ['cache-manager', 'bentocache', 'bentocache-no-serialize'];
const METRIC = 'nsPerOp';

function hitTargets(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const base = find(outcomes, scenario.id, BASELINE);
  const ours = find(outcomes, scenario.id, CACHEWISE);
  const lines = HELD_TO_2X.map((peer) => {
    const outcome = find(outcomes, scenario.id, peer);
    return ratioTarget(
      `${outcome ? labelOf(outcome) : peer} L1 hit ≤ 2× lru-cache fetch()`,
      pairedSummary(outcome, base, METRIC, divide),
      { atMost: 2 },
    );
  });
  const verdicts = RIVALS.map((peer) => {
    const outcome = find(outcomes, scenario.id, peer);
    const s = pairedSummary(outcome, ours, METRIC, divide);
    const label = outcome ? labelOf(outcome) : peer;
    return {
      beaten: s !== undefined && s.median > 1,
      text: s ? `${label} ${s.median.toFixed(2)}×` : `${label}: no result`,
    };
  });
  lines.push(
    `- cachewise @Cached (tiered) faster on an L1 hit than the other tiered libraries: ` +
      `${verdicts.every((v) => v.beaten) ? '**met**' : '**not met**'} — their time per hit over @Cached's: ` +
      `${verdicts.map((v) => v.text).join('; ')} (median of same-round ratios)`,
  );
  return lines;
}

function hitSection(outcomes: readonly JobOutcome[], scenario: Scenario): string[] {
  const rows = outcomes.filter((o) => o.scenario === scenario.id);
  const p = paramsOf(outcomes, scenario);
  const base = find(rows, scenario.id, BASELINE);
  const ours = find(rows, scenario.id, CACHEWISE);
  const lines = [
    `## L1-hit path (warm, ids 1..${p.keys?.toLocaleString('en-US')}, ${p.ops?.toLocaleString('en-US')} sequential awaits a pass)`,
    '',
    '| peer | ns/hit (median) | range over rounds | × lru-cache | × cachewise @Cached | Redis commands while timed (max) | setup |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  let unstable = false;
  for (const outcome of rows) {
    const s = summarize(outcome, METRIC);
    if (s === undefined) {
      lines.push(`| ${labelOf(outcome)} | — | — | — | — | — | ${setupNoteOf(outcome)} (no result, see notes) |`);
      continue;
    }
    const range = rangeCell(s, fmt);
    unstable ||= range.endsWith('⚠');
    const commands = summarize(outcome, 'redisCommands');
    lines.push(
      `| ${labelOf(outcome)} | ${fmt(s.median)} | ${range} | ${ratioCell(pairedSummary(outcome, base, METRIC, divide))} | ` +
        `${ratioCell(pairedSummary(outcome, ours, METRIC, divide))} | ${commands ? String(commands.max) : '—'} | ${setupNoteOf(outcome)} |`,
    );
  }
  lines.push(
    '',
    ...(unstable ? [UNSTABLE_NOTE, ''] : []),
    "× columns: the median over rounds of the ratio of the two rows' ns/hit in the same round; lower is faster. " +
      'Every tiered row runs against the private redis-server (L2 and, where the library has one, the bus); lru-cache ' +
      'and the Map are the in-process floors. A process warms ids 1..keys (the loader must run exactly keys times), ' +
      `runs one untimed pass (which also copies into L1 what a load wrote only to L2), then ${p.passes} timed passes ` +
      '(gc() before each), and reports the median pass. Every timed call is an L1 hit, checked twice: the loader does not ' +
      'run, and the server processes fewer than one command per 1,000 timed calls (`INFO stats` before and after; a ' +
      "bus heartbeat may fall in the window, an L2 read per call would be thousands). cache-manager's two stores have no " +
      'bus: its memory stores are not kept coherent across processes. The `cachewise @Cached` row without "(tiered)" is ' +
      'the same decorated method on `memoryStore()` alone, the row of the memory bench: the difference is what the tier ' +
      'adds to a hit.',
    '',
  );
  return lines;
}

/** The markdown of `results/tiered.md`. */
export function renderTieredReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const byId = (id: string): Scenario | undefined => context.scenarios.find((s) => s.id === id);
  const hit = byId('tiered-hit');
  const bus = byId('tiered-bus');
  const outage = byId('tiered-outage');
  const problems = [
    ...(hit ? outcomes.filter((o) => o.scenario === hit.id).flatMap(problemsOf) : []),
    ...(bus ? busProblems(outcomes, bus) : []),
    ...(outage ? outageProblems(outcomes, outage) : []),
  ];
  const lines = [
    '# Tiered: L1-hit path, bus propagation, calls served during a Redis outage',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: a private \`redis-server --save '' --appendonly no\` on a free local port (never 6379), FLUSHALL before each ` +
      `process; the outage scenario starts its own server, since it pauses or kills it. The hit rows run ${context.rounds} ` +
      'round' +
      (context.rounds === 1 ? '' : 's') +
      ', each (scenario, peer) in a fresh `node --expose-gc` process, the order rotated between rounds; the bus and ' +
      'outage scenarios run once per mode, each run gathering thousands of samples or its own alternating pairs.',
    '',
    '## Targets',
    '',
    ...(hit ? hitTargets(outcomes, hit) : []),
    ...(bus ? busTargets(outcomes, bus) : []),
    ...(outage ? outageTargets(outcomes, outage) : []),
    '',
    ...(hit ? hitSection(outcomes, hit) : []),
    ...(bus ? busSection(outcomes, bus) : []),
    ...(outage ? outageSection(outcomes, outage) : []),
  ];
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
