import { createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, opts, record, syncStore } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

describe('LRU eviction at maxEntries', () => {
  it('answers synchronously, so a hit costs no extra microtask', () => {
    for (const store of [memoryStore(), memoryStore({ serialize: true })]) {
      const answers = [
        store.read('k', ['t']),
        store.readTags(['t']),
        store.delete(['k']),
        store.invalidateTags(['t'], 'delete'),
        store.close(),
      ];
      for (const answer of answers) expect(answer).not.toBeInstanceOf(Promise);
    }
    const live = memoryStore();
    expect(live.write('k', record(1), opts())).toBe(true);
  });

  const present = (store: { read(key: string, tags: string[]): { record: unknown } }, keys: string[]) =>
    keys.filter((key) => store.read(key, []).record !== undefined);

  it('evicts the least recently written first', () => {
    const store = syncStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) store.write(key, record(key), opts());
    expect(store.size).toBe(3);
    expect(present(store, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
  });

  it('a recently read entry survives', () => {
    const store = syncStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) store.write(key, record(key), opts());
    store.read('a', []); // a is now the most recently used
    store.write('d', record('d'), opts());
    expect(store.read('b', []).record).toBeUndefined();
    expect(store.read('a', []).record?.value).toBe('a');
  });

  it('a rewritten entry counts as recent, and is not duplicated', () => {
    const store = syncStore({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) store.write(key, record(key), opts());
    store.write('a', record('a2'), opts());
    expect(store.size).toBe(3);
    store.write('d', record('d'), opts());
    expect(present(store, ['a', 'b', 'c', 'd'])).toEqual(['a', 'c', 'd']);
    expect(store.read('a', []).record?.value).toBe('a2');
  });

  it('keeps the recency order through many touches, deletes and refills', () => {
    const store = syncStore({ maxEntries: 4 });
    const model: string[] = []; // least recent first
    const touch = (key: string) => {
      const i = model.indexOf(key);
      if (i >= 0) model.splice(i, 1);
      model.push(key);
    };
    let seed = 7;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647);
    for (let step = 0; step < 2_000; step++) {
      const key = `k${next() % 7}`;
      const op = next() % 3;
      if (op === 0) {
        store.write(key, record(key), opts());
        touch(key);
        if (model.length > 4) model.shift();
      } else if (op === 1) {
        const hit = store.read(key, []).record !== undefined;
        expect(hit).toBe(model.includes(key));
        if (hit) touch(key);
      } else {
        store.delete([key]);
        const i = model.indexOf(key);
        if (i >= 0) model.splice(i, 1);
      }
      expect(store.size).toBe(model.length);
    }
  });

  it('a maxEntries of 1 keeps only the last entry', () => {
    const store = syncStore({ maxEntries: 1 });
    store.write('a', record('a'), opts());
    store.write('b', record('b'), opts());
    expect(store.read('a', []).record).toBeUndefined();
    expect(store.read('b', []).record?.value).toBe('b');
  });

  it('evicts through the cache too: the least recently used method entry goes', async () => {
    const cache = createCache({ store: memoryStore({ maxEntries: 2 }) });
    let calls = 0;
    const load = (key: string) => () => (calls++, key);
    await cache.wrap('a', load('a'));
    await cache.wrap('b', load('b'));
    await cache.wrap('a', load('a')); // hit: a becomes recent
    await cache.wrap('c', load('c')); // evicts b
    expect(calls).toBe(3);
    await cache.wrap('a', load('a'));
    expect(calls).toBe(3);
    await cache.wrap('b', load('b'));
    expect(calls).toBe(4);
  });
});

describe('maxBytes', () => {
  it('with serialize: true measures payload bytes and evicts the least recent', () => {
    const store = syncStore({ serialize: true, maxBytes: 300 });
    store.write('a', bytes(100), opts());
    store.write('b', bytes(100), opts());
    store.write('c', bytes(100), opts());
    expect(store.bytes).toBe(300);
    store.read('a', []);
    store.write('d', bytes(50), opts());
    expect(store.bytes).toBe(250);
    expect(store.read('b', []).record).toBeUndefined();
    expect(store.read('a', []).record).toBeDefined();
    store.write('e', bytes(200), opts()); // needs 200: c, then d go (a was read last)
    expect(store.read('c', []).record).toBeUndefined();
    expect(store.read('d', []).record).toBeUndefined();
    expect(store.bytes).toBe(300);
  });

  it('rewriting an entry replaces its size', () => {
    const store = syncStore({ serialize: true, maxBytes: 1_000 });
    store.write('a', bytes(400), opts());
    store.write('a', bytes(100), opts());
    expect(store.bytes).toBe(100);
    store.delete(['a']);
    expect(store.bytes).toBe(0);
  });

  it('a payload larger than the whole budget is not kept, and evicts nothing', () => {
    const store = syncStore({ serialize: true, maxBytes: 100 });
    store.write('small', bytes(60), opts());
    store.write('huge', bytes(101), opts());
    expect(store.read('huge', []).record).toBeUndefined();
    expect(store.read('small', []).record).toBeDefined();
    store.write('small', bytes(500), opts()); // an oversized rewrite drops the old value
    expect(store.read('small', []).record).toBeUndefined();
    expect(store.bytes).toBe(0);
  });

  it('with live values uses sizeOf(value) plus a fixed overhead', () => {
    const sizes: Record<string, number> = { a: 100, b: 100, c: 100 };
    const store = syncStore({ maxBytes: 400, sizeOf: (value) => sizes[value as string] ?? 0 });
    for (const key of ['a', 'b', 'c']) store.write(key, record(key), opts());
    // Three entries of 164 bytes do not fit in 400: the least recent goes.
    expect(store.bytes).toBe(2 * (100 + 64));
    expect(store.size).toBe(2);
    expect(store.read('a', []).record).toBeUndefined();
    expect(store.read('c', []).record).toBeDefined();
  });

  it('through the cache: serialized entries count their encoded size', async () => {
    const store = syncStore({ serialize: true, maxBytes: 2_000 });
    const cache = createCache({ store });
    await cache.set('a', 'x'.repeat(900));
    await cache.set('b', 'x'.repeat(900));
    expect(store.bytes).toBeGreaterThan(1_800);
    expect(store.bytes).toBeLessThanOrEqual(2_000);
    await cache.set('c', 'x'.repeat(900));
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('c')).toHaveLength(900);
  });
});

describe('Lru.findUnexpiring (the live store read)', () => {
  it('finds the entry and makes it most recently used, without looking at its expiry', async () => {
    const { Lru } = await import('../src/lru.js');
    const lru = new Lru<string>(2, 0);
    lru.set('a', 'A', Number.POSITIVE_INFINITY, 0);
    lru.set('b', 'B', Number.POSITIVE_INFINITY, 0);
    const slot = lru.findUnexpiring('a');
    expect(lru.valueAt(slot)).toBe('A');
    lru.set('c', 'C', Number.POSITIVE_INFINITY, 0); // evicts b, the least recently used
    expect(lru.findUnexpiring('b')).toBe(-1);
    expect(lru.valueAt(lru.findUnexpiring('a'))).toBe('A');
    expect(lru.findUnexpiring('missing')).toBe(-1);
  });
});

describe('an Lru without an expiry column', () => {
  it('never expires an entry itself, whatever the time', async () => {
    const { Lru } = await import('../src/lru.js');
    const lru = new Lru<string>(4, 0, undefined, false);
    lru.set('a', 'A', 0, 0);
    expect(lru.get('a', Number.POSITIVE_INFINITY)).toBe('A');
    for (let i = 0; i < 200; i++) lru.set(`k${i}`, 'v', 0, 0); // grows and evicts without a column
    expect(lru.size).toBe(4);
    lru.clear();
    lru.set('b', 'B', 0, 0);
    expect(lru.findUnexpiring('b')).toBeGreaterThanOrEqual(0);
  });
});
