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
  UNSTABLE_SPREAD,
} from './outcome.js';

const SCENARIO = 'redis-invalidate';
const PEER = 'cachewise';

/** A count cell: the median over rounds, with the range when rounds differ. */
function countCell(outcome: JobOutcome | undefined, metric: string): string {
  const s = summarize(outcome, metric);
  if (s === undefined) return '—';
  return s.min === s.max ? String(s.median) : `${s.median} (${s.min}–${s.max})`;
}

/** Values of a non-numeric result field over the ok rounds. */
function fieldOf(outcome: JobOutcome | undefined, field: string): unknown[] {
  return (outcome?.runs ?? []).filter((r) => r.status === 'ok').map((r) => r.result?.[field]);
}

/** The markdown of `results/redis-invalidate.md`. */
export function renderRedisInvalidateReport(outcomes: readonly JobOutcome[], context: ReportContext): string {
  const scenario = context.scenarios.find((s) => s.id === SCENARIO);
  if (scenario === undefined) return '';
  const p = paramsOf(outcomes, scenario);
  const sizes = scenario.variants.map((v) => v.entries).filter((n): n is number => n !== undefined);
  const jobs = sizes.map((entries) => ({ entries, outcome: find(outcomes, SCENARIO, PEER, { entries }) }));
  const first = jobs.find((j) => j.outcome !== undefined)?.outcome;
  const lines = [
    '# Redis: invalidateTags over N tagged entries',
    '',
    `Measured by \`${context.command}\` on ${context.machine}, in ${context.minutes.toFixed(1)} minutes.`,
    '',
    ...context.warnings.map((w) => `**Warning:** ${w}\n`),
    `Method: a private \`redis-server --save '' --appendonly no\` on a free local port, FLUSHALL before each process. ` +
      `${context.rounds} rounds; in each, every N runs in a fresh process (sizes rotated between rounds). A process writes ` +
      `N entries (~210-byte objects) with \`cache.set(key, value, { tags: ['catalog'] })\`, ${p.batch} writes in flight at a time, ` +
      `checks that ${p.sample} entries spread over 1..N read back as hits, then runs \`await cache.invalidateTags(['catalog'])\` ` +
      `${p.repetitions} times in a row. Each invalidation sits between a \`CONFIG RESETSTAT\` and an \`INFO commandstats\` sent on a ` +
      'second connection (both left out of the counts); after the first, the same sampled entries must all read as misses ' +
      '(`cache.get(key) === undefined`), and again after the last, or the process fails. A process reports the median over its ' +
      'invalidations; the table shows the median over rounds (and the range where rounds differ).',
    '',
    `Peer: ${first ? `${labelOf(first)} — ${setupNoteOf(first)}` : 'cachewise'}.`,
    '',
    '| N entries tagged `catalog` | client ms per invalidateTags (median) | range over rounds | first invalidation ms | Redis µs per EVALSHA call (`cmdstat_evalsha`) | commands sent per invalidation | commands counted by the server per invalidation (all `cmdstat_*` lines) | sampled entries: hit before → miss after |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const { entries, outcome } of jobs) {
    const client = summarize(outcome, 'clientMs');
    const firstMs = summarize(outcome, 'clientMsFirst');
    const redis = summarize(outcome, 'redisUsecPerCall');
    const samples = summarize(outcome, 'sampleChecked');
    if (client === undefined || redis === undefined) {
      lines.push(`| ${entries.toLocaleString('en-US')} | — | — | — | — | — | — | (no result, see notes) |`);
      continue;
    }
    lines.push(
      `| ${entries.toLocaleString('en-US')} | ${fmt(client.median)} | ${rangeCell(client, fmt)} | ${firstMs ? fmt(firstMs.median) : '—'} | ` +
        `${fmt(redis.median)} (${rangeCell(redis, fmt)}) | ${countCell(outcome, 'commandsSent')} | ${countCell(outcome, 'serverCalls')} | ` +
        `${samples ? `${samples.median} of ${samples.median} (${samples.n} of ${outcome?.runs.length ?? 0} rounds)` : '—'} |`,
    );
  }

  const breakdowns = new Set(
    jobs.flatMap((j) => fieldOf(j.outcome, 'serverBreakdown')).filter((b): b is string => typeof b === 'string'),
  );
  const others = new Set(
    jobs.flatMap((j) => fieldOf(j.outcome, 'otherBreakdowns').flat()).filter((b): b is string => typeof b === 'string'),
  );
  const maxSent = Math.max(...jobs.map((j) => summarize(j.outcome, 'commandsSentMax')?.max ?? 0));
  const keys = jobs.map((j) => ({
    entries: j.entries,
    before: summarize(j.outcome, 'keysBefore'),
    after: summarize(j.outcome, 'keysAfter'),
  }));
  lines.push(
    '',
    ...(lines.some((l) => l.includes(' ⚠')) ? [UNSTABLE_NOTE, ''] : []),
    "- **commands sent**: commands the cache's ioredis client sent during the invalidation, counted on the client " +
      '(every ioredis command, pipelined or not, passes through `sendCommand`).',
    `- **commands counted by the server**: the sum of \`calls\` over every \`cmdstat_*\` line. Redis 7 also counts the commands a ` +
      `script runs inside it, so one EVALSHA shows up as more than one: per invalidation the server counted ` +
      `${[...breakdowns].map((b) => `\`${b}\``).join(' / ') || '—'}.` +
      (others.size > 0
        ? ` Other repetitions: ${[...others].map((b) => `\`${b}\``).join(' / ')} (a server that had not seen the script yet answers EVALSHA with NOSCRIPT, and the store sends EVAL).`
        : ''),
    "- **Redis µs per EVALSHA call**: `usec / calls` of `cmdstat_evalsha`, the server's own time for the script, including the commands it runs; " +
      'Redis counts whole microseconds; a repetition whose EVALSHA was answered NOSCRIPT is left out. The client ms adds the round trip and ' +
      "cachewise's own work; the first invalidation of a process is shown apart (cold code paths, and on a fresh server the NOSCRIPT fallback).",
    `- Invalidation is by version: the tag's version moves on and tagged entries read as misses from then on; the entries themselves stay ` +
      `in Redis until their TTL. Keys in Redis before → after the invalidations: ` +
      keys
        .map(
          (k) =>
            `N=${k.entries.toLocaleString('en-US')}: ${k.before ? fmt(k.before.median) : '—'} → ${k.after ? fmt(k.after.median) : '—'}`,
        )
        .join('; ') +
      " (the N entries, then also the tag's own key, written by the first invalidation).",
    '',
    '### Targets',
    '',
  );
  const done = jobs.map((j) => ({
    ...j,
    client: summarize(j.outcome, 'clientMs'),
    redis: summarize(j.outcome, 'redisUsecPerCall'),
    sent: summarize(j.outcome, 'commandsSent'),
  }));
  if (done.some((j) => j.client === undefined || j.redis === undefined || j.sent === undefined)) {
    lines.push('- Not evaluated: some sizes have no result (see notes).');
  } else {
    const oneCommand = done.every((j) => j.sent!.max === 1);
    lines.push(
      `- One command per invalidation: ${oneCommand ? '**met**' : '**not met**'} — the client sent ` +
        `${done.map((j) => `${j.sent!.median}`).join(' / ')} command(s) (median, N = ${sizes.map((n) => n.toLocaleString('en-US')).join(' / ')})` +
        (maxSent > 1
          ? `; at most ${maxSent} in a single repetition (${others.size > 0 ? 'EVALSHA answered NOSCRIPT, then EVAL' : 'see the breakdowns above'})`
          : '') +
        '; the server, which counts the commands inside the script too, counted the numbers in the table.',
    );
    const worst = Math.max(...done.map((j) => j.redis!.max));
    lines.push(
      `- Under 1 ms of Redis time: ${worst < 1000 ? '**met**' : '**not met**'} — EVALSHA ${done.map((j) => `${fmt(j.redis!.median)} µs`).join(' / ')} ` +
        `(median), ${fmt(worst)} µs at most over rounds.`,
    );
    const small = done[0]!;
    const large = done[done.length - 1]!;
    const clientRatio = large.client!.median / small.client!.median;
    const redisRatio = large.redis!.median / small.redis!.median;
    const flat = clientRatio <= UNSTABLE_SPREAD && redisRatio <= UNSTABLE_SPREAD;
    lines.push(
      `- Flat as N grows: ${flat ? '**met**' : '**not met**'} — from N = ${small.entries.toLocaleString('en-US')} to ` +
        `${large.entries.toLocaleString('en-US')}, client time ×${clientRatio.toFixed(2)} and Redis time ×${redisRatio.toFixed(2)} ` +
        `(counted as flat within ${UNSTABLE_SPREAD}×, the spread this shared machine shows between rounds of one job).`,
    );
  }
  const problems = outcomes
    .filter((o) => o.scenario === SCENARIO)
    .flatMap((o) => problemsOf(o).map((p) => `N=${o.variant.entries}: ${p}`));
  lines.push('');
  if (problems.length > 0) lines.push('## Notes', '', ...problems.map((p) => `- ${p}`), '');
  return lines.join('\n');
}
