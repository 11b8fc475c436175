// The default size estimate behind maxBytes: everything reachable counts, each object once,
// with bounded work (no recursion, a visited set, a cap on values visited).

import { type CacheEventMap, createCache, setDefaultCache } from '@cachewise/core';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateSize, MAX_SIZE_NODES } from '../src/size.js';
import { opts, record, syncStore } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

/** An object whose `value` property counts how often it is read. */
function counted(value: unknown, reads: { count: number }): object {
  return {
    get value() {
      reads.count++;
      return value;
    },
  };
}

/** A 1 MB string (500,000 UTF-16 units) held `depth` objects deep. */
function deep(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { child: value };
  return value;
}

describe('default size estimate', () => {
  it('walks each shared object once: a category whose products point back to it', () => {
    const reads = { count: 0 };
    const category: { products: object[] } = { products: [] };
    for (let i = 0; i < 300; i++) category.products.push({ id: i, category, tag: counted(i, reads) });
    const size = estimateSize(category);
    expect(reads.count).toBe(300); // each product's getter once, however many paths reach it
    expect(size).toBeGreaterThan(300 * 32);
  });

  it('ends on a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    a.list = [a, a];
    expect(estimateSize(a)).toBeGreaterThan(32);
  });

  it('counts what is deeper than 8 levels, and 20,000 levels without a stack overflow', () => {
    const big = 'x'.repeat(500_000);
    expect(estimateSize(deep(10, big))).toBeGreaterThan(1_000_000);
    expect(estimateSize(deep(20_000, big))).toBeGreaterThan(1_000_000 + 20_000 * 32);
  });

  it('counts typed arrays and array buffers by their bytes', () => {
    expect(estimateSize({ b: new ArrayBuffer(10_000) })).toBeGreaterThan(10_000);
    expect(estimateSize([new Uint8Array(10_000)])).toBeGreaterThan(10_000);
  });

  it('stops as soon as the total passes the limit', () => {
    const reads = { count: 0 };
    const value = Array.from({ length: 1_000 }, (_, i) => counted(i, reads));
    expect(estimateSize(value, 1_000)).toBeGreaterThan(1_000);
    expect(reads.count).toBeLessThan(100);
  });

  it(`is Infinity past ${MAX_SIZE_NODES.toLocaleString('en-US')} values, without walking further`, () => {
    expect(estimateSize(new Array(MAX_SIZE_NODES - 10).fill(0))).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(estimateSize(new Array(MAX_SIZE_NODES).fill(0))).toBe(Number.POSITIVE_INFINITY);
    expect(estimateSize(new Array(2 ** 31))).toBe(Number.POSITIVE_INFINITY); // sparse: 2^31 holes
  });
});

describe('maxBytes with the default estimate', () => {
  it('holds deep values to the budget: 200 entries of a 1 MB string 10 levels deep in 10 MB', () => {
    const store = syncStore({ maxBytes: 10_000_000 });
    const big = 'x'.repeat(500_000);
    for (let i = 0; i < 200; i++) store.write(`k${i}`, record(deep(10, big)), opts());
    expect(store.bytes).toBeLessThanOrEqual(10_000_000);
    expect(store.size).toBeLessThanOrEqual(10);
    expect(store.read('k199', []).record).toBeDefined();
  });

  it('does not store a value past the walk cap, and drops the key’s previous entry', () => {
    const store = syncStore({ maxBytes: Number.MAX_SAFE_INTEGER });
    store.write('k', record('small'), opts());
    store.write('k', record(new Array(MAX_SIZE_NODES).fill(0)), opts());
    expect(store.read('k', []).record).toBeUndefined();
    expect(store.bytes).toBe(0);
  });
});

describe('sizeOf results', () => {
  it.each([Number.NaN, -1, '12', undefined])('refuses %j with a RangeError naming sizeOf, keeping the count', (bad) => {
    const store = syncStore({ maxBytes: 1_000, sizeOf: (value) => (value === 'bad' ? bad : 10) as number });
    store.write('good', record('good'), opts());
    expect(() => store.write('k', record('bad'), opts())).toThrow(RangeError);
    expect(() => store.write('k', record('bad'), opts())).toThrow(/`sizeOf`/);
    expect(store.bytes).toBe(74);
    store.write('k', record('fine'), opts());
    expect(store.bytes).toBe(148);
  });

  it('a failed write through the cache is an error event; the caller still gets its value', async () => {
    const store = syncStore({ maxBytes: 1_000, sizeOf: () => Number.NaN });
    const cache = createCache({ store });
    const errors: CacheEventMap['error'][] = [];
    cache.on('error', (event) => errors.push(event));
    expect(await cache.wrap('k', () => 'v')).toBe('v');
    expect(await cache.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1); // the write; the get is a plain miss
    expect(errors[0]!.kind).toBe('store');
    expect((errors[0]!.error as Error).message).toMatch(/`sizeOf`/);
  });

  it('rounds a fractional size up, and refuses a size past 2^32 - 1 bytes', () => {
    const sizes: Record<string, number> = { a: 10.2, b: 2 ** 32 };
    const store = syncStore({ maxBytes: Number.MAX_SAFE_INTEGER, sizeOf: (value) => sizes[value as string]! });
    store.write('a', record('a'), opts());
    expect(store.bytes).toBe(75);
    store.write('b', record('b'), opts());
    expect(store.read('b', []).record).toBeUndefined();
    expect(store.bytes).toBe(75);
    store.delete(['a']);
    expect(store.bytes).toBe(0);
  });
});
