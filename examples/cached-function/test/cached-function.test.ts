// Builds and runs examples/cached-function as a child process and checks what it printed.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExample, lineStartingWith, runExample } from '../../run-example.js';

let lines: string[];
beforeAll(async () => {
  await buildExample('cached-function');
  lines = await runExample('cached-function');
});

/** The value and query counts printed on the line that starts with `label`. */
function step(label: string): { value: unknown; queries: { findPrice: number; listPrices: number } } {
  const line = lineStartingWith(lines, label);
  const match = /-> (.*) {2}queries=(.*)$/.exec(line);
  if (!match) throw new Error(`unexpected line: ${line}`);
  return { value: JSON.parse(match[1]!), queries: JSON.parse(match[2]!) };
}

describe('examples/cached-function', () => {
  it('a hit runs no query, and the second call gets the first call’s value', () => {
    expect(step('findPrice("apple")   (miss)')).toEqual({
      value: { sku: 'apple', cents: 120 },
      queries: { findPrice: 1, listPrices: 0 },
    });
    expect(step('findPrice("apple")   (hit)')).toEqual({
      value: { sku: 'apple', cents: 120 },
      queries: { findPrice: 1, listPrices: 0 },
    });
    expect(step('listPrices()         (hit)')).toEqual({ value: [120, 90], queries: { findPrice: 1, listPrices: 1 } });
  });

  it('invalidating the tags after a write makes both functions load the new price', () => {
    expect(step('findPrice("apple")   (miss after the write)')).toEqual({
      value: { sku: 'apple', cents: 150 },
      queries: { findPrice: 2, listPrices: 1 },
    });
    expect(step('listPrices()         (miss after the write)')).toEqual({
      value: [150, 90],
      queries: { findPrice: 2, listPrices: 2 },
    });
  });

  it('delete(fn.keyFor(args)) drops that one entry', () => {
    expect(step('findPrice("apple")   (miss after delete)').queries.findPrice).toBe(3);
  });

  it('the ttl function keeps null for 10 s and a found price for 5 minutes', () => {
    expect(step('findPrice("kiwi")    (miss')).toEqual({ value: null, queries: { findPrice: 4, listPrices: 2 } });
    expect(step('findPrice("kiwi")    (hit)').queries.findPrice).toBe(4);
    expect(step('11 s later: findPrice("kiwi")')).toEqual({ value: null, queries: { findPrice: 5, listPrices: 2 } });
    expect(step('11 s later: findPrice("apple")')).toEqual({
      value: { sku: 'apple', cents: 150 },
      queries: { findPrice: 5, listPrices: 2 },
    });
  });

  it('ends with the cache’s stats', () => {
    expect(lineStartingWith(lines, 'stats:')).toBe('stats: hits=4 misses=7 loads=7');
  });
});
