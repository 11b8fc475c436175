// Builds examples/quickstart (what `pnpm demo` runs) and runs it as a child process. The
// times it prints are not checked: only values and the cache's stats.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExample, lineStartingWith, runExample } from '../../run-example.js';

let lines: string[];
beforeAll(async () => {
  await buildExample('quickstart');
  lines = await runExample('quickstart');
});

/** The JSON value printed after `->` on the line that starts with `label`. */
function printedValue(label: string): unknown {
  const line = lineStartingWith(lines, label);
  return JSON.parse(line.slice(line.indexOf('-> ') + 3));
}

describe('examples/quickstart', () => {
  it('prints each call with its result: null is cached, the write is seen', () => {
    expect(printedValue('findById(1)  (hit)')).toEqual({ id: 1, name: 'Ada' });
    expect(printedValue('findById(42) (hit)')).toBeNull();
    expect(printedValue('findById(1)  (miss after the write)')).toEqual({ id: 1, name: 'Ada Lovelace' });
    expect(printedValue('findById(1)  (hit, new name)')).toEqual({ id: 1, name: 'Ada Lovelace' });
    expect(printedValue('10 concurrent findById(2)')).toBe('10 results, all {"id":2,"name":"Grace"}');
  });

  it('ends with the stats: 16 calls, 4 database queries', () => {
    expect(lineStartingWith(lines, 'stats:')).toBe(
      'stats: hits=3 misses=13 coalesced=9 loads=4 hitRate=19% offloadRate=75% (calls that did not run a database query)',
    );
  });
});
