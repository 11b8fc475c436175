// P5: after `failures` failed or timed-out store operations in a row the breaker opens:
// calls fail open at once, without asking the store, for `cooldown` (on the fake clock);
// then one probe decides whether it closes or opens again.
import { type CacheEventMap, type CacheOptions, createCache, StoreError, setDefaultCache } from '@cachewise/core';
import { afterEach, describe, expect, it } from 'vitest';
import { faultStore } from './fault-store.js';
import { deferred, flush, testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

function setup(options: Partial<CacheOptions> = {}) {
  const clock = testClock();
  const store = faultStore();
  const cache = createCache({
    store,
    clock,
    namespace: 'b',
    jitter: 0,
    storeTimeout: 30,
    circuitBreaker: { failures: 3, cooldown: '10s' },
    ...options,
  });
  const states: string[] = [];
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('breaker', (event) => states.push(event.state));
  cache.on('error', (event) => errors.push(event));
  let loads = 0;
  const load = async () => `v${++loads}`;
  return { clock, store, cache, states, errors, load };
}

describe('circuitBreaker', () => {
  it('opens after `failures` in a row; then calls fail open without asking the store', async () => {
    const { store, cache, states, errors, load } = setup();
    store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) expect(await cache.wrap(`k${i}`, load)).toBe(`v${i + 1}`);
    expect(states).toEqual(['open']);
    expect(cache.stats().circuit).toBe('open');
    const asked = store.log.length;
    for (let i = 0; i < 10; i++) expect(await cache.wrap('k', load)).toBe(`v${i + 4}`);
    expect(store.log.length).toBe(asked); // not asked
    expect(cache.stats()).toMatchObject({ storeErrors: 3, storeFastFails: 10, loads: 13 });
    expect(errors).toHaveLength(3); // one per real failure, none per fast fail
  });

  it('timeouts count as failures; once open no call waits for the store', async () => {
    const { store, cache, states, load } = setup();
    store.all('hang');
    for (let i = 0; i < 3; i++) await cache.wrap(`k${i}`, load);
    expect(states).toEqual(['open']);
    // Generous margin: the property is "no wait on the store", not a latency figure.
    const margin = 1_000;
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await cache.wrap('k', load);
      expect(performance.now() - started).toBeLessThan(30 + margin);
    }
    expect(store.hung).toHaveLength(3);
    expect(cache.stats()).toMatchObject({ storeTimeouts: 3, storeFastFails: 20 });
    // Answers that come after their timeout do not close it.
    while (store.hung.length > 0) store.hung[0]!.answer();
    await flush();
    expect(cache.stats().circuit).toBe('open');
    expect(states).toEqual(['open']);
  });

  it('a success resets the count: failures must be consecutive', async () => {
    const { store, cache, states, load } = setup();
    for (let round = 0; round < 3; round++) {
      store.mode.read = 'reject';
      await cache.wrap('a', load);
      await cache.wrap('b', load);
      store.mode.read = 'ok';
      await cache.wrap('c', load);
    }
    expect(states).toEqual([]);
    expect(cache.stats().circuit).toBe('closed');
  });

  it('after the cooldown one probe goes out; others fail fast meanwhile; an answer closes it', async () => {
    const { clock, store, cache, states, load } = setup();
    await cache.set('k', 'cached');
    store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) await cache.wrap('x', load);
    store.mode.read = 'hang';
    clock.advance(9_999);
    await cache.wrap('k', load);
    expect(states).toEqual(['open']);
    clock.advance(1);
    const probe = cache.wrap('k', load);
    await flush();
    expect(states).toEqual(['open', 'half-open']);
    const asked = store.log.length;
    expect(await cache.wrap('k', load)).toMatch(/^v/); // fails fast while the probe is out
    expect(store.log.length).toBe(asked);
    store.hung[0]!.answer();
    expect(await probe).toBe('cached');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    store.mode.read = 'ok';
    expect(await cache.wrap('k', load)).toBe('cached');
    expect(cache.stats().circuit).toBe('closed');
  });

  it('a failed probe opens it again for another cooldown', async () => {
    const { clock, store, cache, states, load } = setup();
    store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) await cache.wrap('x', load);
    clock.advance(10_000);
    await cache.wrap('x', load); // the probe, rejected
    expect(states).toEqual(['open', 'half-open', 'open']);
    const asked = store.log.length;
    clock.advance(9_999);
    await cache.wrap('x', load);
    expect(store.log.length).toBe(asked);
    clock.advance(1);
    store.mode.read = 'ok';
    await cache.wrap('x', load);
    expect(states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
  });

  it('explicit writes and invalidations fail fast too, with a StoreError of reason circuit-open', async () => {
    const { store, cache, load } = setup();
    store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) await cache.wrap('x', load);
    const asked = store.log.length;
    const failure = (await cache.set('k', 1).catch((e: unknown) => e)) as StoreError;
    expect(failure).toBeInstanceOf(StoreError);
    expect(failure.reason).toBe('circuit-open');
    expect(failure.message).toMatch(/circuit breaker open after 3 failed operations in a row/);
    await expect(cache.invalidateTags(['t'])).rejects.toMatchObject({ reason: 'circuit-open' });
    expect(store.log.length).toBe(asked);
  });

  it('false turns it off: every call asks the store', async () => {
    const { store, cache, states, load } = setup({ circuitBreaker: false });
    store.mode.read = 'reject';
    for (let i = 0; i < 10; i++) await cache.wrap('x', load);
    expect(store.log).toHaveLength(10);
    expect(states).toEqual([]);
    expect(cache.stats()).toMatchObject({ circuit: 'off', storeErrors: 10, storeFastFails: 0 });
  });

  it('two caches on one store have a breaker each', async () => {
    const { store, cache, load } = setup();
    const other = createCache({ store, namespace: 'o', storeTimeout: 30, circuitBreaker: { failures: 3 } });
    store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) await cache.wrap('x', load);
    expect(cache.stats().circuit).toBe('open');
    expect(other.stats().circuit).toBe('closed');
  });

  it('a load running when the breaker opens still returns its value (its write fails fast)', async () => {
    const { store, cache, load } = setup();
    const gate = deferred<string>();
    const slow = cache.wrap('slow', () => gate.promise);
    await flush();
    store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) await cache.wrap('x', load);
    gate.resolve('slow value');
    expect(await slow).toBe('slow value');
    expect(cache.stats().storeFastFails).toBe(1);
  });
});

describe('calls while the breaker is open', () => {
  async function opened() {
    const env = setup();
    env.store.mode.read = 'reject';
    for (let i = 0; i < 3; i++) await env.cache.wrap(`k${i}`, env.load);
    expect(env.cache.stats().circuit).toBe('open');
    return env;
  }

  it('concurrent callers of one key still share one load', async () => {
    const { cache, store } = await opened();
    const asked = store.log.length;
    const gate = deferred<string>();
    let runs = 0;
    const loader = () => {
      runs++;
      return gate.promise;
    };
    const calls = [cache.wrap('same', loader), cache.wrap('same', loader), cache.wrap('same', loader)];
    gate.resolve('shared');
    expect(await Promise.all(calls)).toEqual(['shared', 'shared', 'shared']);
    expect(runs).toBe(1);
    expect(cache.stats()).toMatchObject({ coalesced: 2, storeFastFails: 1 }); // the others joined before any read
    expect(store.log.length).toBe(asked);
    // The load ended: the next call runs the loader again.
    expect(await cache.wrap('same', async () => 'again')).toBe('again');
  });

  it('a failing loader rejects every caller that shared it and counts one load error', async () => {
    const { cache, errors } = await opened();
    const failure = new Error('database down too');
    const gate = deferred<string>();
    const loader = () => gate.promise;
    const calls = [cache.wrap('bad', loader), cache.wrap('bad', loader)];
    gate.reject(failure);
    for (const call of calls) await expect(call).rejects.toBe(failure);
    expect(cache.stats().loadErrors).toBe(1);
    expect(errors.filter((event) => event.kind === 'load').map((event) => event.error)).toEqual([failure]);
    // A loader that throws before returning a promise is counted and rethrown too.
    const thrown = new Error('sync');
    await expect(
      cache.wrap('sync', () => {
        throw thrown;
      }),
    ).rejects.toBe(thrown);
    expect(cache.stats().loadErrors).toBe(2);
  });

  it('the probe still goes out after the cooldown', async () => {
    const { cache, clock, store, states, load } = await opened();
    store.mode.read = 'ok';
    clock.advance(10_000);
    expect(await cache.wrap('after', load)).toMatch(/^v/);
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });
});
