import { fmt } from '../harness/stats.js';
import { find, labelOf, paramsOf, problemsOf, rangeCell, setupNoteOf, summarize, UNSTABLE_NOTE, type JobOutcome } from './outcome.js';
import type { ReportContext } from './memory.js';

const BASELINE = 'raw-ioredis';

/** The markdown of `results/redis.md`. */
export function renderRedisReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const scenario = context.scenarios.find((s) => s.id === 'redis-hit');
  if (scenario === undefined) return '';
  const concurrencies = scenario.variants.map((v) => v.concurrency).filter((c): c is number => c !== undefined);
  const peers = Object.keys(scenario.peers);
  const p = paramsOf(outcomes, scenario);
  const lines = [
    '# Redis: hit path',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: a private \`redis-server --save '' --appendonly no\` on a free local port, started for the run and stopped ` +
      `after it, FLUSHALL before each process. ${context.rounds} rounds; in each, every (peer, concurrency) runs in a fresh ` +
      `process, peers rotated between rounds. A process warms ids 1..${p.keys}, runs ${Math.min(p.ops ?? 0, 2_000).toLocaleString('en-US')} untimed calls, ` +
      `then ${p.passes} timed passes of ${p.ops?.toLocaleString('en-US')} calls from c workers ` +
      'that each await their calls in turn, and reports the median pass; it fails if the loader runs while timed. ' +
      'Tables show the median over rounds and the range.',
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
      const s = summarize(job, 'opsPerSec');
      const base = summarize(find(outcomes, scenario.id, BASELINE, { concurrency }), 'opsPerSec');
      cells.push(
        s === undefined
          ? '— | — | —'
          : `${fmt(s.median)} | ${rangeCell(s, fmt)} | ${base ? `${(s.median / base.median).toFixed(2)}×` : '—'}`,
      );
    }
    if (outcome === undefined) continue;
    lines.push(`| ${labelOf(outcome)} | ${cells.join(' | ')} | ${setupNoteOf(outcome)} |`);
  }
  const problems = outcomes.filter((o) => o.scenario === scenario.id).flatMap(problemsOf);
  lines.push(
    '',
    '× raw: ops/s relative to raw ioredis GET + JSON.parse at the same concurrency (higher is better).',
    '',
    'Clients: every ioredis row uses a plain client, `new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 })` ' +
      'and otherwise the defaults a user has — no ' +
      '`enableAutoPipelining`. The cachewise row gets its batching from the store itself: reads issued in the same tick ' +
      'leave as one pipeline (a lone read as a plain MGET), which is what the c=64 column exercises. raw ioredis, ' +
      'bentocache and type-cacheable do no batching of their own. cache-manager\'s @keyv/redis runs on node-redis 5, which by ' +
      'default queues commands and writes all those queued before the next turn of the event loop (`setImmediate`) in one socket write.',
    '',
    UNSTABLE_NOTE,
    'At c=1 a call is one round trip to a server on the same 2 cores, so its speed follows where the scheduler puts the ' +
      'two processes: on a shared machine rounds fall into a slow and a fast mode, and c=1 ratios are within that noise.',
    '',
  );
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
