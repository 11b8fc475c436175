// The slot arrays grow with the store (doubling up to maxEntries) instead of being
// allocated up front, so any documented maxEntries is cheap to create.

import { memoryStore } from '@cachewise/memory';
import { describe, expect, it } from 'vitest';
import { INITIAL_SLOTS, Lru, MAX_SLOTS } from '../src/lru.js';
import { opts, record, syncStore } from './helpers.js';

describe('slot arrays grow as the store fills', () => {
  it('maxEntries 2^31-1 constructs without allocating for it, and works', () => {
    const before = process.memoryUsage().arrayBuffers;
    const live = syncStore({ maxEntries: 2 ** 31 - 1 });
    const bytes = syncStore({ maxEntries: 2 ** 31 - 1, serialize: true, maxBytes: 2 ** 40 });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024); // a few kilobytes: 64 slots each
    for (let i = 0; i < 5_000; i++) {
      live.write(`k${i}`, record(i, ['t'], [i]), opts());
      bytes.write(`k${i}`, new Uint8Array([i % 256]), opts());
    }
    expect(live.size).toBe(5_000);
    expect(bytes.size).toBe(5_000);
    expect(bytes.bytes).toBe(5_000);
    for (let i = 0; i < 5_000; i += 7) {
      expect(live.read(`k${i}`, []).record?.versions).toEqual([i]);
      expect(bytes.read(`k${i}`, []).record).toEqual(new Uint8Array([i % 256]));
    }
  });

  it('live records keep their timestamps, load times and stamps across growth', () => {
    const store = syncStore({ maxEntries: 1_000 });
    const tags = ['t'];
    for (let i = 0; i < 1_000; i++) {
      store.write(
        `k${i}`,
        { value: i, storedAt: i, expiresAt: 10_000 + i, tags, versions: [i], delta: i % 100 },
        opts(),
      );
    }
    for (let i = 0; i < 1_000; i++) {
      const found = store.read(`k${i}`, []).record!;
      expect([found.value, found.storedAt, found.expiresAt, found.versions[0], found.delta]).toEqual([
        i,
        i,
        10_000 + i,
        i,
        i % 100,
      ]);
      expect(found.tags).toBe(tags);
    }
    store.write('one more', record('x'), opts()); // full: the least recent (k0) goes
    expect(store.read('k0', []).record).toBeUndefined();
    expect(store.size).toBe(1_000);
  });

  // Differential: the store against a model LRU, with maxEntries above the initial slot
  // count so that the arrays grow (and shrink back on close) while the order must hold.
  it.each([false, true])('keeps LRU order through growth, deletes and close (serialize: %s)', (serialize) => {
    const max = INITIAL_SLOTS * 4 + 3;
    const store = serialize ? syncStore({ maxEntries: max, serialize: true }) : syncStore({ maxEntries: max });
    const model: string[] = []; // least recent first
    const touch = (key: string) => {
      const i = model.indexOf(key);
      if (i >= 0) model.splice(i, 1);
      model.push(key);
    };
    let seed = 11;
    const next = () => (seed = (seed * 48_271) % 2_147_483_647);
    for (let step = 0; step < 8_000; step++) {
      const key = `k${next() % (max * 2)}`;
      const op = next() % 100;
      if (op < 50) {
        (store.write as (k: string, p: unknown, o: unknown) => boolean)(
          key,
          serialize ? new Uint8Array([1]) : record(key),
          opts(),
        );
        touch(key);
        if (model.length > max) model.shift();
      } else if (op < 85) {
        const hit = store.read(key, []).record !== undefined;
        expect(hit).toBe(model.includes(key));
        if (hit) touch(key);
      } else if (op < 99) {
        store.delete([key]);
        const i = model.indexOf(key);
        if (i >= 0) model.splice(i, 1);
      } else {
        store.close();
        model.length = 0;
      }
      expect(store.size).toBe(model.length);
    }
    for (const key of model) expect(store.read(key, []).record).toBeDefined();
  });

  it('grows by doubling up to max, and gives the memory back on clear', () => {
    const lru = new Lru<number>(1_000, 0);
    expect(lru.capacity).toBe(INITIAL_SLOTS);
    for (let i = 0; i < 300; i++) lru.set(`k${i}`, i, Number.POSITIVE_INFINITY, 0);
    expect(lru.capacity).toBe(INITIAL_SLOTS * 8);
    for (let i = 300; i < 5_000; i++) lru.set(`k${i}`, i, Number.POSITIVE_INFINITY, 0);
    expect(lru.capacity).toBe(1_000);
    expect(lru.size).toBe(1_000);
    lru.clear();
    expect(lru.capacity).toBe(INITIAL_SLOTS);
    expect(new Lru(10, 0).capacity).toBe(10);
  });

  it('holds at most 2^24 entries (the most keys a JavaScript Map takes), whatever maxEntries says', () => {
    expect(MAX_SLOTS).toBe(2 ** 24);
    expect(new Lru(2 ** 31 - 1, 0).max).toBe(2 ** 24);
    expect(new Lru(1_000, 0).max).toBe(1_000);
    expect(memoryStore({ maxEntries: 2 ** 31 - 1 }).size).toBe(0);
  });
});
