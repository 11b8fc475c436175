import { fmt } from '../harness/stats.js';
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

const BASELINE = 'raw-ioredis';
const METRIC = 'opsPerSec';

/**
 * A line per target, judged on the median of same-round ratios to raw ioredis (ops/s, so
 * higher is better): the default key and a key function at c=64, the default key at c=1.
 */
function targets(outcomes: readonly JobOutcome[], scenarioId: string, labels: ReadonlyMap<string, string>): string[] {
  const check = (peer: string, concurrency: number, name: string, bound: { atLeast: number }): string =>
    ratioTarget(
      `${labels.get(peer) ?? peer} ${name}, c=${concurrency}`,
      pairedSummary(
        find(outcomes, scenarioId, peer, { concurrency }),
        find(outcomes, scenarioId, BASELINE, { concurrency }),
        METRIC,
        divide,
      ),
      bound,
    );
  return [
    check('cachewise', 1, 'within 10% of raw ioredis (≥ 0.90×)', { atLeast: 0.9 }),
    check('cachewise', 64, '≥ raw ioredis', { atLeast: 1 }),
    check('cachewise-key', 64, '≥ raw ioredis', { atLeast: 1 }),
  ];
}

/** The markdown of `results/redis.md`. */
export function renderRedisReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const scenario = context.scenarios.find((s) => s.id === 'redis-hit');
  if (scenario === undefined) return '';
  const concurrencies = scenario.variants.map((v) => v.concurrency).filter((c): c is number => c !== undefined);
  const peers = Object.keys(scenario.peers);
  const p = paramsOf(outcomes, scenario);
  const labels = new Map<string, string>();
  for (const o of outcomes) if (o.scenario === scenario.id) labels.set(o.peer, labelOf(o));
  const lines = [
    '# Redis: hit path',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: a private \`redis-server --save '' --appendonly no\` on a free local port, started for the run and stopped ` +
      `after it, FLUSHALL before each process. ${context.rounds} round${context.rounds === 1 ? '' : 's'}; in each, every (peer, concurrency) runs in a fresh ` +
      `process, peers rotated between rounds. A process warms ids 1..${p.keys}, runs ${Math.min(p.ops ?? 0, 2_000).toLocaleString('en-US')} untimed calls, ` +
      `then ${p.passes} timed passes of ${p.ops?.toLocaleString('en-US')} calls from c workers ` +
      'that each await their calls in turn, and reports the median pass; it fails if the loader runs while timed. ' +
      'Tables show the median over rounds and the range.',
    '',
    '## Targets',
    '',
    ...targets(outcomes, scenario.id, labels),
    '',
    '## Hit path',
    '',
    `| peer | ${concurrencies.map((c) => `ops/s c=${c} | range | × raw`).join(' | ')} | setup |`,
    `|---|${concurrencies.map(() => '---:|---:|---:').join('|')}|---|`,
  ];
  for (const peer of peers) {
    const cells: string[] = [];
    let outcome: JobOutcome | undefined;
    for (const concurrency of concurrencies) {
      const job = find(outcomes, scenario.id, peer, { concurrency });
      outcome ??= job;
      const s = summarize(job, METRIC);
      const base = find(outcomes, scenario.id, BASELINE, { concurrency });
      cells.push(
        s === undefined
          ? '— | — | —'
          : `${fmt(s.median)} | ${rangeCell(s, fmt)} | ${ratioCell(pairedSummary(job, base, METRIC, divide))}`,
      );
    }
    if (outcome === undefined) continue;
    lines.push(`| ${labelOf(outcome)} | ${cells.join(' | ')} | ${setupNoteOf(outcome)} |`);
  }
  const problems = outcomes.filter((o) => o.scenario === scenario.id).flatMap(problemsOf);
  lines.push(
    '',
    '× raw: ops/s relative to raw ioredis GET + JSON.parse at the same concurrency, the median over rounds of the ratio ' +
      'in the same round (rounds interleave the peers, so this cancels drift of the machine); higher is better.',
    '',
    'Clients: every ioredis row uses a plain client, `new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 })` ' +
      'and otherwise the defaults a user has — no ' +
      '`enableAutoPipelining`. The cachewise rows get their batching from the store itself: reads issued in the same tick ' +
      'leave as one MGET of their distinct keys (a lone read as its own MGET), which is what the c=64 column exercises. raw ioredis, ' +
      "bentocache and type-cacheable do no batching of their own. cache-manager's @keyv/redis runs on node-redis 5, which by " +
      'default queues commands and writes all those queued before the next turn of the event loop (`setImmediate`) in one socket write.',
    '',
    ...(lines.some((l) => l.includes(' ⚠')) ? [UNSTABLE_NOTE] : []),
    'At c=1 a call is one round trip to a server on the same 2 cores, so its speed follows where the scheduler puts the ' +
      'two processes: on a shared machine rounds fall into a slow and a fast mode, and c=1 ratios are within that noise.',
    '',
  );
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
