// Stale-while-revalidate, stale-if-error and early refresh (XFetch), on a fake clock and a
// scripted random source: exact refresh counts and exact values at each step.
import { type CacheEventMap, type CacheOptions, createCache, type Store, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../src/freshness.js';
import { deferred, flush, testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

/** A random source that answers from a script, then 0.99 (never refreshes early). */
function scripted(...values: number[]): () => number {
  return () => values.shift() ?? 0.99;
}

function setup(options: Partial<CacheOptions> = {}) {
  const clock = testClock();
  const store = memoryStore();
  const cache = createCache({ store, clock, jitter: 0, ttl: '1m', ...options });
  const events: Array<[string, unknown]> = [];
  for (const name of ['stale', 'refresh', 'error'] as const) {
    cache.on(name, (event: CacheEventMap[typeof name]) => events.push([name, event]));
  }
  return { clock, store, cache, events };
}

/** A loader whose calls are counted and each answered by hand. */
function gatedLoader<T>() {
  const gates: Array<ReturnType<typeof deferred<T>>> = [];
  const load = () => {
    const gate = deferred<T>();
    gates.push(gate);
    return gate.promise;
  };
  return { gates, load };
}

describe('staleWhileRevalidate', () => {
  it('past the TTL, serves the stale value at once and refreshes once in the background', async () => {
    const { clock, cache, events } = setup({ staleWhileRevalidate: '5m' });
    const { gates, load } = gatedLoader<string>();
    const first = cache.wrap('k', load);
    await flush();
    gates[0]!.resolve('v1');
    expect(await first).toBe('v1');

    clock.advance(60_000); // expired, inside the window
    expect(await cache.wrap('k', load)).toBe('v1');
    expect(await cache.wrap('k', load)).toBe('v1');
    expect(gates).toHaveLength(2); // one refresh for both readers
    gates[1]!.resolve('v2');
    await flush();
    expect(await cache.wrap('k', load)).toBe('v2'); // the refreshed value, fresh
    expect(gates).toHaveLength(2);
    expect(cache.stats()).toMatchObject({
      hits: 3,
      misses: 1,
      staleHits: 2,
      staleRevalidating: 2,
      refreshes: 1,
      earlyRefreshes: 0,
      loads: 2,
    });
    expect(events.filter(([name]) => name === 'stale')).toEqual([
      ['stale', { key: 'cw:k:k', label: '#wrap', reason: 'revalidating', invalidated: false }],
      ['stale', { key: 'cw:k:k', label: '#wrap', reason: 'revalidating', invalidated: false }],
    ]);
    expect(events.filter(([name]) => name === 'refresh')).toEqual([
      ['refresh', { key: 'cw:k:k', label: '#wrap', early: false, ok: true }],
    ]);
  });

  it('past the window, a read waits for the load like any miss', async () => {
    const { clock, cache } = setup({ staleWhileRevalidate: '5m' });
    let calls = 0;
    await cache.wrap('k', async () => ++calls);
    clock.advance(60_000 + 5 * 60_000);
    expect(await cache.wrap('k', async () => ++calls)).toBe(2);
    expect(cache.stats().staleHits).toBe(0);
  });

  it("serves entries invalidated in 'expire' mode as stale while refreshing; 'delete' mode and delete() leave nothing", async () => {
    const { cache } = setup({ staleWhileRevalidate: '5m' });
    let calls = 0;
    const load = () => cache.wrap('k', async () => `v${++calls}`, { tags: ['user:1'] });
    expect(await load()).toBe('v1');
    await cache.invalidateTags(['user:1'], { mode: 'expire' });
    expect(await load()).toBe('v1'); // stale, and a refresh starts
    await flush();
    expect(await load()).toBe('v2');
    expect(cache.stats()).toMatchObject({ staleHits: 1, staleInvalidated: 1 });

    await cache.invalidateTags(['user:1']); // 'delete'
    expect(await load()).toBe('v3'); // a miss: the caller waits
    await cache.delete('k');
    expect(await load()).toBe('v4');
    expect(cache.stats().staleHits).toBe(1);
  });

  it('a refresh that began before an invalidation is never served as fresh after it (P2)', async () => {
    for (const mode of ['delete', 'expire'] as const) {
      const { clock, cache } = setup({ staleWhileRevalidate: '5m', namespace: `p2${mode}` });
      const { gates, load } = gatedLoader<string>();
      const call = () => cache.wrap('k', load, { tags: ['t'] });
      const first = call();
      await flush();
      gates[0]!.resolve('v1');
      await first;
      clock.advance(60_000);
      expect(await call()).toBe('v1'); // stale; the refresh starts
      expect(gates).toHaveLength(2);
      await cache.invalidateTags(['t'], { mode });
      gates[1]!.resolve('refreshed-before-invalidation');
      await flush();
      expect(await cache.get('k')).toBeUndefined(); // never fresh
      const after = call();
      await flush();
      if (mode === 'delete') {
        expect(gates).toHaveLength(3); // a miss: a new load
        gates[2]!.resolve('v3');
        expect(await after).toBe('v3');
      } else {
        // still only stale: served while a new refresh runs
        expect(await after).toBe('refreshed-before-invalidation');
        expect(gates).toHaveLength(3);
        gates[2]!.resolve('v3');
        await flush();
        expect(await cache.get('k')).toBe('v3');
      }
    }
  });

  it('a failed refresh is counted and emitted, and the key backs off (1 s, then 2 s) instead of retrying on every read', async () => {
    const { clock, cache, events } = setup({ staleWhileRevalidate: '10m' });
    let calls = 0;
    let fail = false;
    const load = () =>
      cache.wrap('k', async () => {
        calls++;
        if (fail) throw new Error('db down');
        return `v${calls}`;
      });
    expect(await load()).toBe('v1');
    clock.advance(60_000);
    fail = true;
    expect(await load()).toBe('v1');
    await flush();
    expect(calls).toBe(2);
    expect(cache.stats()).toMatchObject({ refreshes: 1, refreshErrors: 1, loadErrors: 1 });
    expect(events).toContainEqual(['refresh', { key: 'cw:k:k', label: '#wrap', early: false, ok: false }]);
    expect(events.some(([name, e]) => name === 'error' && (e as { kind: string }).kind === 'load')).toBe(true);

    for (let i = 0; i < 5; i++) expect(await load()).toBe('v1');
    await flush();
    expect(calls).toBe(2); // backing off
    clock.advance(1_000);
    expect(await load()).toBe('v1');
    await flush();
    expect(calls).toBe(3); // one retry after 1 s, which fails again
    clock.advance(1_000);
    expect(await load()).toBe('v1');
    await flush();
    expect(calls).toBe(3); // now 2 s
    clock.advance(1_000);
    fail = false;
    expect(await load()).toBe('v1');
    await flush();
    expect(calls).toBe(4);
    expect(await load()).toBe('v4');
  });

  it('a method can turn the cache-wide window off with 0', async () => {
    const { clock, cache } = setup({ staleWhileRevalidate: '5m' });
    let calls = 0;
    const load = () => cache.wrap('k', async () => ++calls, { staleWhileRevalidate: 0 });
    await load();
    clock.advance(60_000);
    expect(await load()).toBe(2);
  });
});

describe("staleWhileRevalidate with revalidate: 'caller'", () => {
  it('the caller that finds it stale loads and waits; callers during that load get the stale value at once', async () => {
    const { clock, cache, events } = setup({ staleWhileRevalidate: '5m', revalidate: 'caller' });
    const { gates, load } = gatedLoader<string>();
    const first = cache.wrap('k', load);
    await flush();
    gates[0]!.resolve('v1');
    expect(await first).toBe('v1');

    clock.advance(60_000); // expired, inside the window
    let refreshed: string | undefined;
    const leader = cache.wrap('k', load).then((value) => {
      refreshed = value;
      return value;
    });
    await flush();
    expect(gates).toHaveLength(2); // the leader's load runs in the foreground
    expect(refreshed).toBeUndefined(); // and the leader waits for it
    expect(await cache.wrap('k', load)).toBe('v1'); // a caller meanwhile: stale, at once
    expect(await cache.wrap('k', load)).toBe('v1');
    expect(gates).toHaveLength(2);
    gates[1]!.resolve('v2');
    expect(await leader).toBe('v2');
    expect(await cache.wrap('k', load)).toBe('v2'); // fresh
    expect(gates).toHaveLength(2);
    expect(cache.stats()).toMatchObject({ misses: 2, loads: 2, staleRevalidating: 2, refreshes: 0, hits: 3 });
    expect(events.filter(([name]) => name === 'stale')).toHaveLength(2);
  });

  it('past the window every caller shares one load, as on any miss', async () => {
    const { clock, cache } = setup({ staleWhileRevalidate: '5m', revalidate: 'caller' });
    const { gates, load } = gatedLoader<string>();
    const first = cache.wrap('k', load);
    await flush();
    gates[0]!.resolve('v1');
    await first;
    clock.advance(60_000 + 300_000); // past TTL and window
    const calls = [cache.wrap('k', load), cache.wrap('k', load), cache.wrap('k', load)];
    await flush();
    expect(gates).toHaveLength(2);
    gates[1]!.resolve('v2');
    expect(await Promise.all(calls)).toEqual(['v2', 'v2', 'v2']);
    expect(cache.stats().coalesced).toBe(2);
  });

  it('cold keys still coalesce: one load for concurrent callers', async () => {
    const { cache } = setup({ staleWhileRevalidate: '5m', revalidate: 'caller' });
    const { gates, load } = gatedLoader<string>();
    const calls = [cache.wrap('k', load), cache.wrap('k', load)];
    await flush();
    expect(gates).toHaveLength(1);
    gates[0]!.resolve('v');
    expect(await Promise.all(calls)).toEqual(['v', 'v']);
  });

  it("the leader's failed load falls back on the stale value inside staleIfError; callers meanwhile got it already", async () => {
    const { clock, cache, events } = setup({ staleWhileRevalidate: '5m', staleIfError: '5m', revalidate: 'caller' });
    const { gates, load } = gatedLoader<string>();
    const first = cache.wrap('k', load);
    await flush();
    gates[0]!.resolve('v1');
    await first;
    clock.advance(60_000);
    const leader = cache.wrap('k', load);
    await flush();
    expect(await cache.wrap('k', load)).toBe('v1');
    gates[1]!.reject(new Error('db down'));
    expect(await leader).toBe('v1');
    expect(events.some(([name, event]) => name === 'error' && (event as { kind: string }).kind === 'load')).toBe(true);
  });

  it('an invalidation in delete mode leaves nothing to serve stale', async () => {
    const { clock, cache } = setup({ staleWhileRevalidate: '5m', revalidate: 'caller' });
    const { gates, load } = gatedLoader<string>();
    const first = cache.wrap('k', load, { tags: ['t'] });
    await flush();
    gates[0]!.resolve('v1');
    await first;
    clock.advance(60_000);
    const leader = cache.wrap('k', load, { tags: ['t'] });
    await flush();
    await cache.invalidateTags(['t']);
    const after = cache.wrap('k', load, { tags: ['t'] }); // no stale value, and not the older load (P2)
    await flush();
    expect(gates).toHaveLength(3);
    gates[1]!.resolve('old');
    gates[2]!.resolve('new');
    expect(await after).toBe('new');
    await leader;
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('new');
  });

  it("per call: wrap({ revalidate: 'caller' }) over a cache-wide background default, and back", async () => {
    const { clock, cache } = setup({ staleWhileRevalidate: '5m' });
    const { gates, load } = gatedLoader<string>();
    const first = cache.wrap('k', load, { revalidate: 'caller' });
    await flush();
    gates[0]!.resolve('v1');
    await first;
    clock.advance(60_000);
    let settled = false;
    const leader = cache.wrap('k', load, { revalidate: 'caller' }).then((value) => {
      settled = true;
      return value;
    });
    await flush();
    expect(settled).toBe(false);
    gates[1]!.resolve('v2');
    expect(await leader).toBe('v2');
    clock.advance(60_000);
    expect(await cache.wrap('k', load, { revalidate: 'background' })).toBe('v2'); // stale at once
    expect(gates).toHaveLength(3);
    await expect(cache.wrap('k', load, { revalidate: 'sometimes' as never })).rejects.toThrow(
      /wrap: `revalidate` must be 'background' or 'caller'/,
    );
  });
});

describe('staleIfError', () => {
  it('serves the stale value when the load fails, reports the failure, and backs off', async () => {
    const { clock, cache, events } = setup({ staleIfError: '1h' });
    let calls = 0;
    let fail = false;
    const boom = new Error('db down');
    const load = () =>
      cache.wrap('k', async () => {
        calls++;
        if (fail) throw boom;
        return `v${calls}`;
      });
    expect(await load()).toBe('v1');
    clock.advance(60_000); // expired: no stale-while-revalidate, so the caller waits for the load
    fail = true;
    expect(await load()).toBe('v1');
    expect(calls).toBe(2);
    expect(cache.stats()).toMatchObject({ staleHits: 1, staleOnError: 1, loadErrors: 1, misses: 2 });
    expect(events).toContainEqual(['stale', { key: 'cw:k:k', label: '#wrap', reason: 'error', invalidated: false }]);
    expect(events.filter(([name]) => name === 'error')).toHaveLength(1);

    expect(await load()).toBe('v1'); // backing off: the loader is not called
    expect(calls).toBe(2);
    clock.advance(1_000);
    fail = false;
    expect(await load()).toBe('v3');
  });

  it('past its window, or without it, the error reaches the caller', async () => {
    const boom = new Error('db down');
    const { clock, cache } = setup({ staleIfError: '10m' });
    await cache.wrap('k', async () => 'v');
    clock.advance(60_000 + 10 * 60_000);
    await expect(cache.wrap('k', () => Promise.reject(boom))).rejects.toBe(boom);

    const plain = setup({ namespace: 'plain' });
    await plain.cache.wrap('k', async () => 'v');
    plain.clock.advance(60_000);
    await expect(plain.cache.wrap('k', () => Promise.reject(boom))).rejects.toBe(boom);
  });

  it('coalesced callers share the stale answer of the one failed load', async () => {
    const { clock, cache } = setup({ staleIfError: '1h' });
    await cache.wrap('k', async () => 'v1');
    clock.advance(60_000);
    const gate = deferred<string>();
    let calls = 0;
    const callers = Array.from({ length: 5 }, () =>
      cache.wrap('k', () => {
        calls++;
        return gate.promise;
      }),
    );
    await flush();
    gate.reject(new Error('db down'));
    expect(await Promise.all(callers)).toEqual(Array(5).fill('v1'));
    expect(calls).toBe(1);
  });
});

describe('earlyRefresh (XFetch)', () => {
  // ttl 1m; the load takes 100 ms of fake time (delta = 100). At 50 ms before expiry,
  // XFetch refreshes when -delta * beta * ln(r) >= 50, i.e. r <= exp(-0.5 / beta).
  async function primed(beta: number, randoms: number[]) {
    const { clock, cache, events } = setup({
      earlyRefresh: beta === 1 ? true : { beta },
      random: scripted(...randoms),
    });
    let calls = 0;
    const load = () =>
      cache.wrap('k', async () => {
        clock.advance(100);
        return `v${++calls}`;
      });
    expect(await load()).toBe('v1');
    clock.advance(60_000 - 50); // 50 ms before expiry (storedAt was after the load)
    return { load, cache, events, calls: () => calls };
  }

  it('refreshes in the background exactly when now - delta * beta * ln(random) >= expiresAt', async () => {
    const { load, cache, events, calls } = await primed(1, [0.7, 0.6]); // exp(-0.5) = 0.6065
    expect(await load()).toBe('v1'); // r = 0.7: no refresh
    expect(calls()).toBe(1);
    expect(await load()).toBe('v1'); // r = 0.6: refresh, the caller still gets the fresh value at once
    await flush();
    expect(calls()).toBe(2);
    expect(await load()).toBe('v2');
    expect(cache.stats()).toMatchObject({ refreshes: 1, earlyRefreshes: 1, staleHits: 0, hits: 3 });
    expect(events).toContainEqual(['refresh', { key: 'cw:k:k', label: '#wrap', early: true, ok: true }]);
  });

  it('a larger beta refreshes earlier', async () => {
    const { load, calls } = await primed(2, [0.7]); // exp(-0.25) = 0.78
    expect(await load()).toBe('v1');
    await flush();
    expect(calls()).toBe(2);
  });

  it('an entry with no load time (set) is never refreshed early', async () => {
    const { clock, cache } = setup({ earlyRefresh: true, random: scripted(0.0001) });
    await cache.set('k', 'v');
    clock.advance(60_000 - 1);
    let calls = 0;
    expect(await cache.wrap('k', async () => ++calls)).toBe('v');
    await flush();
    expect(calls).toBe(0);
  });
});

describe('result-dependent freshness', () => {
  it('a ttl function sets the TTL per value (a short one for null)', async () => {
    const { clock, cache } = setup();
    let calls = 0;
    const ttl = (user: { id: number } | null) => (user === null ? '10s' : '5m');
    const find = (id: number) => cache.wrap(`u${id}`, async () => (calls++, id === 0 ? null : { id }), { ttl });
    await find(0);
    await find(1);
    clock.advance(10_000);
    await find(0);
    await find(1);
    expect(calls).toBe(3); // null reloaded after 10 s; the user still cached
    clock.advance(5 * 60_000);
    await find(1);
    expect(calls).toBe(4);
  });

  it('resultTags adds tags known only from the value: invalidating one drops the entry', async () => {
    const { cache } = setup();
    let calls = 0;
    const list = () =>
      cache.wrap('org:1:users', async () => (calls++, [1, 2]), {
        tags: ['org:1'],
        resultTags: (ids) => ids.map((id) => `user:${id}`),
      });
    await list();
    await list();
    expect(calls).toBe(1);
    await cache.invalidateTags(['user:2']);
    await list();
    expect(calls).toBe(2);
    await cache.invalidateTags(['org:1']);
    await list();
    expect(calls).toBe(3);
  });

  it.each([
    [
      'a ttl function returning no duration',
      { ttl: () => 'soon' },
      /the `ttl` function's result must be a positive duration/,
    ],
    [
      'a ttl function that throws',
      {
        ttl: () => {
          throw new Error('bug');
        },
      },
      /the `ttl` function threw/,
    ],
    ['a ttl function past the store maxTtl', { ttl: () => 200 * 365 * 86_400_000 }, /at most 100 years/],
    [
      'resultTags returning no array',
      { resultTags: () => 'user:1' },
      /the `resultTags` function's result must be an array/,
    ],
    [
      'resultTags returning an empty tag',
      { resultTags: () => [''] },
      /the `resultTags` function's result must be an array of non-empty strings/,
    ],
  ] satisfies Array<[string, object, RegExp]>)(
    '%s: the value is returned, not cached, counted and reported',
    async (_what, options, message) => {
      const { cache, events } = setup();
      let calls = 0;
      const call = () => cache.wrap('k', async () => ++calls, options as never);
      expect(await call()).toBe(1);
      expect(await call()).toBe(2);
      expect(cache.stats().uncacheable).toBe(2);
      const errors = events.filter(([name]) => name === 'error').map(([, e]) => e as CacheEventMap['error']);
      expect(errors[0]).toMatchObject({ kind: 'options', key: 'cw:k:k' });
      expect(String((errors[0]!.error as Error).message)).toMatch(message);
    },
  );

  it('resultTags on a store without versionMark() is refused on the first call, naming the option', async () => {
    const inner = memoryStore();
    const store: Store = {
      name: 'plain',
      payload: 'live',
      read: (key, tags) => inner.read(key, tags),
      readTags: (tags) => inner.readTags(tags),
      write: (key, payload, options) => inner.write(key, payload, options),
      delete: (keys) => inner.delete(keys),
      invalidateTags: (tags, mode) => inner.invalidateTags(tags, mode),
      close: () => inner.close(),
    };
    const cache = createCache({ store });
    await expect(cache.wrap('k', async () => [1], { resultTags: () => ['a'] })).rejects.toThrow(
      /`resultTags` needs a store that implements versionMark\(\).*the plain store does not/,
    );
  });
});

describe('the back-off after failed loads', () => {
  it('doubles from 1 s to at most 1 min, and forgets a key on success', () => {
    const backoff = new Backoff();
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      backoff.failed('k', now);
      let wait = 0;
      while (backoff.waiting('k', now + wait)) wait += 1_000;
      waits.push(wait);
      now += wait;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    backoff.succeeded('k');
    expect(backoff.waiting('k', now)).toBe(false);
  });

  it('holds at most 10,000 keys: the oldest is forgotten first', () => {
    const backoff = new Backoff();
    for (let i = 0; i < 10_050; i++) backoff.failed(`k${i}`, 0);
    expect(backoff.size).toBe(10_000);
    expect(backoff.waiting('k0', 1)).toBe(false);
    expect(backoff.waiting('k10049', 1)).toBe(true);
  });
});

describe('per-call options over the cache-wide defaults', () => {
  it('earlyRefresh: false turns the cache-wide default off for one call', async () => {
    const { clock, cache } = setup({ earlyRefresh: true, random: () => 0.0001 });
    let calls = 0;
    const load = async () => {
      clock.advance(10); // delta 10 ms
      return ++calls;
    };
    await cache.wrap('k', load, { earlyRefresh: false });
    clock.advance(59_950); // 60 ms before expiry
    await cache.wrap('k', load, { earlyRefresh: false });
    await flush();
    expect(calls).toBe(1);
    await cache.wrap('k', load); // the default: -10 * ln(0.0001) = 92 ms ahead, past expiry
    await flush();
    expect(calls).toBe(2);
  });
});
