import 'reflect-metadata';
import { Cached, createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type Deferred, deferred, flakyStore, flush } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

describe('single flight', () => {
  it.each([
    ['the live memory store', () => memoryStore()],
    ['the serializing memory store', () => memoryStore({ serialize: true })],
    [
      'a store that answers with promises',
      () => {
        const store = flakyStore();
        const inner = store.inner;
        return {
          ...store,
          read: async (key: string, tags: readonly string[]) => inner.read(key, tags),
        } as typeof store;
      },
    ],
  ])('runs the loader once for N concurrent callers of a cold key (%s)', async (_name, makeStore) => {
    const cache = createCache({ store: makeStore(), namespace: 'sf', setAsDefault: true });
    const gates: Array<Deferred<{ id: number }>> = [];
    class Repo {
      @Cached()
      async find(_id: number): Promise<{ id: number }> {
        const gate = deferred<{ id: number }>();
        gates.push(gate);
        return gate.promise;
      }
    }
    const repo = new Repo();
    const callers = Array.from({ length: 10 }, () => repo.find(7));
    await flush();
    expect(gates).toHaveLength(1);
    gates[0]!.resolve({ id: 7 });
    const results = await Promise.all(callers);
    for (const result of results) expect(result).toBe(results[0]);
    expect(results[0]).toEqual({ id: 7 });
    expect(cache.stats()).toMatchObject({ loads: 1, misses: 10, coalesced: 9, hits: 0 });
    expect(cache.stats().byMethod['Repo.find']).toMatchObject({ loads: 1, coalesced: 9 });

    expect(await repo.find(7)).toEqual({ id: 7 });
    expect(gates).toHaveLength(1);
    expect(cache.stats().hits).toBe(1);
  });

  it('does not coalesce different keys', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: true });
    let calls = 0;
    const gate = deferred<void>();
    const load = async () => {
      calls++;
      await gate.promise;
      return calls;
    };
    const a = cache.wrap('a', load);
    const b = cache.wrap('b', load);
    gate.resolve();
    await Promise.all([a, b]);
    expect(calls).toBe(2);
    expect(cache.stats().coalesced).toBe(0);
  });

  it('is per cache instance: two caches on one store do not share a load', async () => {
    const store = memoryStore();
    const first = createCache({ store, namespace: 'same' });
    const second = createCache({ store, namespace: 'same' });
    const gate = deferred<string>();
    let calls = 0;
    const load = () => {
      calls++;
      return gate.promise;
    };
    const a = first.wrap('k', load);
    const b = second.wrap('k', load);
    await flush();
    expect(calls).toBe(2);
    gate.resolve('v');
    expect(await Promise.all([a, b])).toEqual(['v', 'v']);
    expect(first.stats().coalesced + second.stats().coalesced).toBe(0);
  });

  it.each([
    ['invalidateTags', (c: ReturnType<typeof createCache>) => c.invalidateTags(['t'])],
    ['delete', (c: ReturnType<typeof createCache>) => c.delete('k')],
    ['clear', (c: ReturnType<typeof createCache>) => c.clear()],
  ])('a caller arriving after %s does not join the earlier load', async (_name, invalidate) => {
    const cache = createCache({ store: memoryStore(), setAsDefault: true });
    const gates: Array<Deferred<string>> = [];
    const load = () => {
      const gate = deferred<string>();
      gates.push(gate);
      return gate.promise;
    };
    const early = cache.wrap('k', load, { tags: ['t'] });
    const joined = cache.wrap('k', load, { tags: ['t'] });
    await flush();
    expect(gates).toHaveLength(1);

    await invalidate(cache);
    const late = cache.wrap('k', load, { tags: ['t'] });
    await flush();
    expect(gates).toHaveLength(2);

    gates[0]!.resolve('old');
    gates[1]!.resolve('new');
    expect(await early).toBe('old');
    expect(await joined).toBe('old');
    expect(await late).toBe('new');
  });

  it('an invalidation through another cache does not stop coalescing in this one', async () => {
    const store = memoryStore();
    const cache = createCache({ store, namespace: 'a' });
    const other = createCache({ store, namespace: 'b' });
    const gate = deferred<number>();
    let calls = 0;
    const load = () => {
      calls++;
      return gate.promise;
    };
    const first = cache.wrap('k', load);
    await other.invalidateTags(['t']);
    const second = cache.wrap('k', load);
    gate.resolve(1);
    await Promise.all([first, second]);
    expect(calls).toBe(1);
  });

  it('a settled load leaves the in-flight map: the next cold call loads again', async () => {
    const cache = createCache({ store: memoryStore() });
    let calls = 0;
    await cache.wrap('k', () => ++calls, { unless: () => true });
    await cache.wrap('k', () => ++calls, { unless: () => true });
    expect(calls).toBe(2);
  });
});

describe('the in-flight map', () => {
  it('keeps at most 1,024 keys of ended loads, however many keys were loaded', async () => {
    const { SingleFlight } = await import('../src/single-flight.js');
    const flights = new SingleFlight();
    for (let i = 0; i < 5_000; i++) {
      const gate = deferred<number>();
      const promise = flights.start(`k${i}`, () => gate.promise);
      expect(flights.join(`k${i}`)).toBe(promise);
      gate.resolve(i);
      await promise;
      await flush();
      expect(flights.join(`k${i}`)).toBeUndefined();
    }
    expect(flights.size).toBe(0);
    expect(flights.tracked).toBeLessThanOrEqual(1_024);
  });

  it('sweeping ended keys keeps the loads in progress joinable', async () => {
    const { SingleFlight } = await import('../src/single-flight.js');
    const flights = new SingleFlight();
    const running = deferred<string>();
    const held = flights.start('held', () => running.promise);
    for (let i = 0; i < 2_100; i++) {
      const flight = flights.begin(`k${i}`);
      flight.promise = Promise.resolve(i);
      flights.end(`k${i}`, flight);
    }
    expect(flights.tracked).toBeLessThanOrEqual(1_025);
    expect(flights.size).toBe(1);
    expect(flights.join('held')).toBe(held);
    running.resolve('done');
    await held;
    await flush();
    expect(flights.size).toBe(0);
    expect(flights.join('held')).toBeUndefined();
  });

  it('a load that replaced an older one (after an invalidation) ends once', async () => {
    const { SingleFlight } = await import('../src/single-flight.js');
    const flights = new SingleFlight();
    const first = deferred<string>();
    const second = deferred<string>();
    const a = flights.start('k', () => first.promise);
    flights.invalidate();
    expect(flights.join('k')).toBeUndefined();
    const b = flights.start('k', () => second.promise);
    expect(flights.size).toBe(1);
    first.resolve('a');
    await a;
    await flush();
    expect(flights.join('k')).toBe(b); // the older load's end leaves the newer one
    second.resolve('b');
    await b;
    await flush();
    expect(flights.size).toBe(0);
  });
});
