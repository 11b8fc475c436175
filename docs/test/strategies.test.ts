// The strategy comparison on docs/strategies.md is the output of a deterministic run
// (docs/snippets/strategies/compare.ts): this test runs it and compares.
// `pnpm docs:strategies` prints the table to paste after a change.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareStrategies, formatTable, type StrategyRow } from '../snippets/strategies/compare.js';

const cells = (table: string): string[][] =>
  table
    .split('\n')
    .filter((line) => !/^[|\s-]+$/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
const page = readFileSync(fileURLToPath(new URL('../strategies.md', import.meta.url)), 'utf8');

describe('the strategy comparison on docs/strategies.md', async () => {
  const rows = await compareStrategies();
  const row = (strategy: string): StrategyRow => {
    const found = rows.find((r) => r.strategy === strategy);
    if (found === undefined) throw new Error(`no row for ${strategy}`);
    return found;
  };
  if (process.env.CACHEWISE_PRINT_STRATEGIES) console.log(`\n${formatTable(rows)}\n`);

  it('prints the table the script measures', () => {
    const table = /<!-- strategies:start -->\n([\s\S]*?)\n<!-- strategies:end -->/.exec(page)?.[1];
    // Cell by cell: the page's table is padded by the formatter.
    expect(table && cells(table)).toEqual(cells(formatTable(rows)));
  });

  it('tags and versioning never serve data older than the database', () => {
    expect(row('Tags').staleReads).toBe(0);
    expect(row('Versioning').staleReads).toBe(0);
  });

  it('TTL alone, and key deletes that miss the listings, serve stale reads; the deletes more', () => {
    expect(row('TTL').staleReads).toBeGreaterThan(0);
    expect(row('Event-based').staleReads).toBeGreaterThan(row('TTL').staleReads);
  });

  it('event-based deletes load least; tags load more than they do', () => {
    const loads = rows.map((r) => r.loads);
    expect(row('Event-based').loads).toBe(Math.min(...loads));
    expect(row('Tags').loads).toBeGreaterThan(row('Event-based').loads);
  });

  it('versioning pays for it: the lowest hit rate and the most loads', () => {
    expect(row('Versioning').hitRate).toBe(Math.min(...rows.map((r) => r.hitRate)));
    expect(row('Versioning').loads).toBe(Math.max(...rows.map((r) => r.loads)));
  });
});
