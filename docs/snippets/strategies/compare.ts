// Runs the same workload against the four strategies and measures, for each, the hit
// rate, how often the database was read, and how many reads returned data older than the
// database. `pnpm docs:strategies` prints the table; docs/test/strategies.test.ts checks
// that docs/strategies.md holds exactly this output.
import { createCache } from '@cachewise/core';
import { fakeClock } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { CATEGORIES, Catalog, ITEMS, seeded } from './catalog.js';
import { strategies } from './strategies.js';

export const WORKLOAD = {
  seconds: 3600, // one hour of simulated time
  readsPerSecond: 10, // 8 item reads, 2 category listings
  writeEverySeconds: 10, // one item changes every 10 s
  seed: 42,
} as const;

export interface StrategyRow {
  readonly strategy: string;
  readonly reads: number;
  readonly hitRate: number;
  readonly loads: number;
  readonly staleReads: number;
}

export async function compareStrategies(): Promise<StrategyRow[]> {
  const rows: StrategyRow[] = [];
  for (const [strategy, Repository] of Object.entries(strategies)) {
    const clock = fakeClock();
    const db = new Catalog();
    const cache = createCache({ store: memoryStore(), namespace: 'strategies', clock, random: seeded(7) });
    const repository = new Repository(cache, db);
    const random = seeded(WORKLOAD.seed); // the same reads and writes for every strategy
    // Popular items are read more: u² puts about a third of the reads on the first tenth.
    const pick = (n: number) => Math.floor(random() * random() * n);
    let reads = 0;
    let staleReads = 0;
    for (let second = 0; second < WORKLOAD.seconds; second++) {
      for (let i = 0; i < WORKLOAD.readsPerSecond; i++) {
        const value = i < 8 ? await repository.item(pick(ITEMS)) : await repository.category(pick(CATEGORIES));
        reads++;
        if (db.isStale(value)) staleReads++;
      }
      if (second % WORKLOAD.writeEverySeconds === WORKLOAD.writeEverySeconds - 1) {
        await repository.update(Math.floor(random() * ITEMS));
      }
      clock.advance(1000);
    }
    rows.push({ strategy, reads, hitRate: cache.stats().hitRate, loads: db.loads, staleReads });
    await cache.close();
  }
  return rows;
}

/** The Markdown table printed on docs/strategies.md. */
export function formatTable(rows: readonly StrategyRow[]): string {
  const lines = [
    '| strategy | hit rate | database reads | stale reads |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| ${row.strategy} | ${(row.hitRate * 100).toFixed(1)}% | ${row.loads.toLocaleString('en-US')} | ${row.staleReads.toLocaleString('en-US')} (${((row.staleReads / row.reads) * 100).toFixed(2)}%) |`,
    ),
  ];
  return lines.join('\n');
}
