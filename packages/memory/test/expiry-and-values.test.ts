import { createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { bytes, opts, syncStore, testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

describe("expiry on the store's own clock", () => {
  // Byte payloads are opaque to the store, so it judges their expiry by its own clock.
  // (Live records also carry their expiresAt, which the cache judges on its clock.)
  it('keeps a byte payload until its TTL and drops it from then on', () => {
    const clock = testClock();
    const store = syncStore({ clock, serialize: true });
    store.write('k', bytes(4), opts(1_000));
    clock.advance(999);
    expect(store.read('k', []).record).toEqual(bytes(4));
    clock.advance(1);
    expect(store.read('k', []).record).toBeUndefined();
    expect(store.size).toBe(0); // dropped when found expired
  });

  it("the store's clock expires entries even when the cache's clock stands still", async () => {
    const storeClock = testClock();
    const frozen = testClock();
    const store = syncStore({ clock: storeClock, serialize: true });
    const cache = createCache({ store, clock: frozen, jitter: 0, ttl: '10s' });
    let calls = 0;
    await cache.wrap('k', () => ++calls);
    storeClock.advance(9_999);
    await cache.wrap('k', () => ++calls);
    expect(calls).toBe(1);
    storeClock.advance(1);
    await cache.wrap('k', () => ++calls);
    expect(calls).toBe(2);
  });

  it('an expired entry frees its slot for a new one without evicting a live one', () => {
    const clock = testClock();
    const store = syncStore({ clock, maxEntries: 2, serialize: true });
    store.write('short', bytes(1), opts(10));
    store.write('long', bytes(2), opts(10_000));
    clock.advance(10);
    expect(store.read('short', []).record).toBeUndefined();
    store.write('new', bytes(3), opts(10_000));
    expect(store.read('long', []).record).toEqual(bytes(2));
    expect(store.read('new', []).record).toEqual(bytes(3));
  });

  it('a live entry is a miss from its expiry on, on the cache clock', async () => {
    const clock = testClock();
    const cache = createCache({ store: memoryStore({ clock }), clock, jitter: 0, ttl: '10s' });
    let calls = 0;
    await cache.wrap('k', () => ++calls);
    clock.advance(9_999);
    await cache.wrap('k', () => ++calls);
    expect(calls).toBe(1);
    clock.advance(1);
    await cache.wrap('k', () => ++calls);
    expect(calls).toBe(2);
  });
});

describe('live values', () => {
  it('a hit returns the very object that was cached (documented: do not mutate it)', async () => {
    const cache = createCache({ store: memoryStore() });
    const original = { list: [1] };
    await cache.wrap('k', () => original);
    const hit = await cache.wrap('k', () => ({ list: [] as number[] }));
    expect(hit).toBe(original);
    hit.list.push(2);
    expect(((await cache.get('k')) as typeof original).list).toEqual([1, 2]);
  });

  it('with serialize: true a hit returns a fresh copy each time', async () => {
    const cache = createCache({ store: memoryStore({ serialize: true }) });
    const original = { list: [1], when: new Date(0) };
    await cache.wrap('k', () => original);
    const first = await cache.get<typeof original>('k');
    const second = await cache.get<typeof original>('k');
    expect(first).toStrictEqual(original);
    expect(first).not.toBe(original);
    expect(first).not.toBe(second);
    first!.list.push(2);
    expect((await cache.get<typeof original>('k'))!.list).toEqual([1]);
  });

  it('a live store keeps class instances, which a serializing one cannot', async () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    const live = createCache({ store: memoryStore() });
    await live.set('m', new Money(5));
    expect(await live.get('m')).toBeInstanceOf(Money);
  });
});

describe('close', () => {
  it('drops every entry', () => {
    const store = syncStore({ serialize: true, maxBytes: 1_000 });
    store.write('a', bytes(10), opts());
    store.write('b', bytes(10), opts());
    store.close();
    expect(store.size).toBe(0);
    expect(store.bytes).toBe(0);
    expect(store.read('a', []).record).toBeUndefined();
  });
});
