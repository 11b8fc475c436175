// Builds examples/commonjs with tsc (`module: commonjs`) and runs it as a child process.
// Its folder holds a package.json of its own ("type": "module"): the example is CommonJS,
// the test an ES module like every other test.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExample, exampleDir, lineStartingWith, runExample } from '../../run-example.js';

let lines: string[];
beforeAll(async () => {
  await buildExample('commonjs');
  lines = await runExample('commonjs');
});

/** The value and query count printed on the line that starts with `label`. */
function step(label: string): { value: unknown; queries: number } {
  const line = lineStartingWith(lines, label);
  const match = /-> (.*) {2}queries=(\d+)$/.exec(line);
  if (!match) throw new Error(`unexpected line: ${line}`);
  return { value: JSON.parse(match[1]!), queries: Number(match[2]) };
}

const teapot = { id: 1, name: 'Teapot', category: 'kitchen', cents: 2_500 };

describe('examples/commonjs', () => {
  it('is compiled to require() calls and runs as a CommonJS module', async () => {
    const built = await readFile(join(exampleDir('commonjs'), 'dist/main.js'), 'utf8');
    expect(built).toContain('require("@cachewise/core")');
    expect(built).toContain('require("reflect-metadata")');
    expect(built).not.toMatch(/^import /m);
    expect(lineStartingWith(lines, 'module system:')).toBe('module system: CommonJS');
  });

  it('caches @Cached methods: the second call runs no query', () => {
    expect(step('product(1)          (miss)')).toEqual({ value: teapot, queries: 1 });
    expect(step('product(1)          (hit)')).toEqual({ value: teapot, queries: 1 });
    expect(step('inCategory(kitchen) (hit)')).toEqual({ value: [2_500, 4_000], queries: 2 });
  });

  it('@Invalidates drops the product and its category list, and both load the new price', () => {
    expect(step('product(1)          (miss, new price)')).toEqual({ value: { ...teapot, cents: 2_700 }, queries: 3 });
    expect(step('inCategory(kitchen) (miss, new price)')).toEqual({ value: [2_700, 4_000], queries: 4 });
  });

  it("@CacheConfig's class tag invalidates every method of the class", () => {
    expect(step('product(3)          (miss)').queries).toBe(5);
    expect(step('product(3)          (miss after reimport)').queries).toBe(6);
  });

  it('counts per method under the @CacheConfig name', () => {
    expect(lineStartingWith(lines, 'stats:')).toBe('stats: hits=2 misses=6 loads=6');
    expect(lineStartingWith(lines, 'catalog.product:')).toBe('catalog.product: hits=1 loads=4');
    expect(lineStartingWith(lines, 'catalog.inCategory:')).toBe('catalog.inCategory: hits=1 loads=2');
  });
});
