import { median } from '../../harness/stats.js';
import type { Peer } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';
import type { TaggedSubject } from './subject.js';

export interface RedisInvalidateParams {
  /** Entries written under the tag, ids 1..entries. */
  entries: number;
  /**
   * Invalidations, one after another, each timed and each between a CONFIG RESETSTAT and
   * an INFO commandstats. The first turns the entries into misses; every later one does
   * the same O(1) work on the tag again.
   */
  repetitions: number;
  /** Writes in flight at once while filling. */
  batch: number;
  /** Entries read back, spread over 1..entries: hits before the first invalidation, misses after. */
  sample: number;
  redisPort: number;
}

interface CommandStat {
  calls: number;
  usec: number;
  failed: number;
}

/** Commands of the measuring connection itself, left out of the counts. */
const OWN_COMMANDS = new Set(['config|resetstat', 'info']);

/** `INFO commandstats` as command → calls and usec, without the measuring connection's own commands. */
function parseCommandStats(info: string): Map<string, CommandStat> {
  const stats = new Map<string, CommandStat>();
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),.*?failed_calls=(\d+)/.exec(line);
    if (match === null || OWN_COMMANDS.has(match[1]!)) continue;
    stats.set(match[1]!, { calls: Number(match[2]), usec: Number(match[3]), failed: Number(match[4]) });
  }
  return stats;
}

/** `evalsha 1, get 1, set 1, time 1`, by name. */
function describeStats(stats: Map<string, CommandStat>): string {
  return [...stats]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, s]) => `${name} ${s.calls}${s.failed > 0 ? ` (${s.failed} failed)` : ''}`)
    .join(', ');
}

function sampleIds(entries: number, sample: number): number[] {
  const count = Math.min(sample, entries);
  if (count <= 1) return [1];
  const ids = new Set<number>();
  for (let i = 0; i < count; i++) ids.add(1 + Math.round((i * (entries - 1)) / (count - 1)));
  return [...ids];
}

/**
 * Writes `entries` entries under one tag, then times `repetitions` invalidations of the
 * tag. Per invalidation: the client-observed time, Redis's own time for the script
 * (`cmdstat_evalsha` usec per call), the commands the client sent, and the commands the
 * server counted (which include the ones a script runs inside it).
 */
export async function measureRedisInvalidate(
  peer: Peer<TaggedSubject>,
  params: RedisInvalidateParams,
): Promise<Record<string, unknown>> {
  const { entries, repetitions, batch, redisPort } = params;
  const subject = await peer.setup({ capacity: entries, redisPort });
  // A separate connection for RESETSTAT and INFO, so they never queue behind the peer's commands.
  const admin = await connectIoredis({ capacity: 0, redisPort });
  try {
    const fillStart = process.hrtime.bigint();
    for (let first = 1; first <= entries; first += batch) {
      const writes: Promise<void>[] = [];
      for (let id = first; id < first + batch && id <= entries; id++) writes.push(subject.write(id));
      await Promise.all(writes);
    }
    const fillSeconds = Number(process.hrtime.bigint() - fillStart) / 1e9;

    const ids = sampleIds(entries, params.sample);
    for (const id of ids) {
      const value = (await subject.read(id)) as { id?: unknown } | undefined;
      if (value?.id !== id)
        throw new Error(`before invalidating, entry ${id} read as ${JSON.stringify(value)}, not user ${id}`);
    }
    const keysBefore = await admin.dbsize();

    const clientMs: number[] = [];
    const redisUsecPerCall: number[] = [];
    const sent: number[] = [];
    const serverCalls: number[] = [];
    const breakdowns: string[] = [];
    for (let rep = 0; rep < repetitions; rep++) {
      await admin.config('RESETSTAT');
      const sentBefore = subject.commandsSent();
      const start = process.hrtime.bigint();
      await subject.invalidate();
      clientMs.push(Number(process.hrtime.bigint() - start) / 1e6);
      sent.push(subject.commandsSent() - sentBefore);
      const stats = parseCommandStats(await admin.info('commandstats'));
      const evalsha = stats.get('evalsha');
      // A NOSCRIPT answer (a server that has not seen the script yet) is not the script's time: such a repetition is left out here.
      if (evalsha !== undefined && evalsha.calls > 0 && evalsha.failed === 0)
        redisUsecPerCall.push(evalsha.usec / evalsha.calls);
      serverCalls.push([...stats.values()].reduce((sum, s) => sum + s.calls, 0));
      breakdowns.push(describeStats(stats));
      if (rep === 0) {
        // The first invalidation must have turned the entries into misses, or this measured nothing.
        const stillHit = [];
        for (const id of ids) if ((await subject.read(id)) !== undefined) stillHit.push(id);
        if (stillHit.length > 0)
          throw new Error(
            `${stillHit.length} of ${ids.length} sampled entries still hit after invalidateTags (ids ${stillHit.slice(0, 5).join(', ')}...)`,
          );
      }
    }
    for (const id of ids) {
      if ((await subject.read(id)) !== undefined) throw new Error(`entry ${id} hit after ${repetitions} invalidations`);
    }
    const keysAfter = await admin.dbsize();
    if (redisUsecPerCall.length === 0)
      throw new Error(`no EVALSHA in commandstats during ${repetitions} invalidations: ${breakdowns[0]}`);

    // The breakdown most repetitions had (the first can differ: EVALSHA then EVAL on a server that has not seen the script).
    const counts = new Map<string, number>();
    for (const b of breakdowns) counts.set(b, (counts.get(b) ?? 0) + 1);
    const typical = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    return {
      clientMs: median(clientMs),
      clientMsFirst: clientMs[0],
      redisUsecPerCall: median(redisUsecPerCall),
      commandsSent: median(sent),
      commandsSentMax: Math.max(...sent),
      serverCalls: median(serverCalls),
      serverCallsMax: Math.max(...serverCalls),
      serverBreakdown: typical,
      otherBreakdowns: [...counts.keys()].filter((b) => b !== typical),
      sampleChecked: ids.length,
      keysBefore,
      keysAfter,
      fillSeconds,
      repClientMs: clientMs.map((ms) => Math.round(ms * 1000) / 1000),
    };
  } finally {
    await subject.close();
    if (admin.status !== 'end') await admin.quit();
  }
}
