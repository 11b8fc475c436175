// How core uses a stampede protector, with an in-process stand-in for the lock service:
// two caches on one store play two processes. The Redlock protector itself, with real
// processes and a real Redis, is tested in packages/redis.
import {
  type CacheEventMap,
  type CacheOptions,
  createCache,
  type StampedeLock,
  type StampedeProtector,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { type Deferred, deferred, flush, testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

interface FakeProtector extends StampedeProtector {
  /** What waitForRelease answers when the lock is held: wait for the release (default), or time out. */
  onWait: 'release' | 'timeout';
  /** Make tryLock reject, as an unreachable lock service does. */
  down: boolean;
  /** When set, tryLock waits for it first (a slow lock service). */
  gate: Promise<void> | undefined;
  closed: number;
}

/** A lock table shared by the "processes" (caches) given the same `locks`. */
function fakeProtector(locks: Map<string, Deferred<void>>): FakeProtector {
  const protector: FakeProtector = {
    name: 'fake',
    onWait: 'release',
    down: false,
    gate: undefined,
    closed: 0,
    async tryLock(key: string): Promise<StampedeLock | undefined> {
      await protector.gate;
      if (protector.down) throw new Error('lock service unreachable');
      if (locks.has(key)) return undefined;
      const released = deferred<void>();
      locks.set(key, released);
      return {
        release: async () => {
          locks.delete(key);
          released.resolve();
        },
      };
    },
    async waitForRelease(key: string): Promise<boolean> {
      const held = locks.get(key);
      if (held === undefined) return true;
      if (protector.onWait === 'timeout') return false;
      await held.promise;
      return true;
    },
    close() {
      protector.closed++;
    },
  };
  return protector;
}

function fleet(options: Partial<CacheOptions> = {}) {
  const store = memoryStore();
  const clock = testClock();
  const locks = new Map<string, Deferred<void>>();
  const process = (name: string) => {
    const stampede = fakeProtector(locks);
    const cache = createCache({ store, clock, jitter: 0, ttl: '1m', namespace: 'fleet', stampede, ...options });
    const errors: Array<CacheEventMap['error']> = [];
    const lockEvents: Array<CacheEventMap['lock']['outcome']> = [];
    cache.on('error', (event) => errors.push(event));
    cache.on('lock', (event) => lockEvents.push(event.outcome));
    return { name, cache, stampede, errors, lockEvents };
  };
  return { store, clock, locks, a: process('a'), b: process('b') };
}

describe('a stampede protector', () => {
  it('lets one process load while the other waits and reads its value', async () => {
    const { a, b } = fleet();
    const gate = deferred<string>();
    let loadsA = 0;
    let loadsB = 0;
    const fromA = a.cache.wrap('hot', () => (loadsA++, gate.promise));
    await flush();
    const fromB = Array.from({ length: 10 }, () => b.cache.wrap('hot', async () => (loadsB++, 'from b')));
    await flush();
    gate.resolve('from a');
    expect(await fromA).toBe('from a');
    expect(await Promise.all(fromB)).toEqual(Array(10).fill('from a'));
    expect([loadsA, loadsB]).toEqual([1, 0]);
    expect(a.cache.stats()).toMatchObject({ locksAcquired: 1, lockWaits: 0, loads: 1 });
    expect(b.cache.stats()).toMatchObject({ locksAcquired: 0, lockWaits: 1, peerLoads: 1, loads: 0, coalesced: 9 });
    expect(a.lockEvents).toEqual(['acquired']);
    expect(b.lockEvents).toEqual(['waited', 'peer-loaded']);
  });

  it('a process that takes the lock just after another released it reads again instead of loading', async () => {
    const { a, b } = fleet();
    const gate = deferred<string>();
    const fromB = b.cache.wrap('hot', () => gate.promise); // b holds the lock and loads
    await flush();
    const slowLock = deferred<void>();
    a.stampede.gate = slowLock.promise;
    let loadsA = 0;
    const fromA = a.cache.wrap('hot', async () => (loadsA++, 'from a')); // a's read misses; its tryLock is slow
    await flush();
    gate.resolve('from b'); // b writes and releases
    expect(await fromB).toBe('from b');
    slowLock.resolve(); // now a takes the free lock
    expect(await fromA).toBe('from b');
    expect(loadsA).toBe(0);
    expect(a.lockEvents).toEqual(['acquired', 'peer-loaded']);
  });

  it("when the holder's load fails, the waiter loads itself (and the lock was released)", async () => {
    const { a, b, locks } = fleet();
    const gate = deferred<string>();
    const fromA = a.cache.wrap('hot', () => gate.promise);
    await flush();
    const fromB = b.cache.wrap('hot', async () => 'from b');
    await flush();
    gate.reject(new Error('db down'));
    await expect(fromA).rejects.toThrow('db down');
    expect(await fromB).toBe('from b');
    expect(locks.size).toBe(0);
    expect(b.cache.stats()).toMatchObject({ lockWaits: 1, peerLoads: 0, loads: 1 });
  });

  it('past the wait, a waiter serves its stale value if it has one, else loads itself', async () => {
    const { a, b, clock } = fleet({ staleIfError: '1h' });
    b.stampede.onWait = 'timeout';
    await a.cache.set('hot', 'old');
    clock.advance(60_000); // expired, kept for stale-if-error
    const gate = deferred<string>();
    const fromA = a.cache.wrap('hot', () => gate.promise);
    await flush();
    let loadsB = 0;
    expect(await b.cache.wrap('hot', async () => (loadsB++, 'from b'))).toBe('old');
    expect(await b.cache.wrap('cold', async () => (loadsB++, 'cold from b'))).toBe('cold from b');
    expect(loadsB).toBe(1);
    expect(b.cache.stats()).toMatchObject({ lockTimeouts: 1, staleHits: 1, staleOnLockTimeout: 1 });
    expect(b.lockEvents).toEqual(['waited', 'timeout', 'acquired']);
    gate.resolve('new');
    expect(await fromA).toBe('new');
  });

  it('an unreachable lock service costs nothing but the lock: the load runs, the error is counted and emitted', async () => {
    const { a } = fleet();
    a.stampede.down = true;
    expect(await a.cache.wrap('hot', async () => 'v')).toBe('v');
    expect(await a.cache.wrap('hot', async () => 'other')).toBe('v'); // and it was written
    expect(a.cache.stats()).toMatchObject({ lockErrors: 1, loads: 1 });
    expect(a.errors).toHaveLength(1);
    expect(a.errors[0]).toMatchObject({ kind: 'lock', key: 'fleet:k:hot', label: '#wrap' });
    expect(String((a.errors[0]!.error as Error).message)).toMatch(
      /fake stampede protector failed: lock service unreachable/,
    );
  });

  it('a background refresh runs in the one process that takes the lock; the others go on serving', async () => {
    const { a, b, clock } = fleet({ staleWhileRevalidate: '5m' });
    await a.cache.set('hot', 'old');
    clock.advance(60_000);
    const gate = deferred<string>();
    let loadsB = 0;
    expect(await a.cache.wrap('hot', () => gate.promise)).toBe('old'); // a refreshes
    await flush();
    expect(await b.cache.wrap('hot', async () => (loadsB++, 'b'))).toBe('old');
    await flush();
    expect(loadsB).toBe(0); // a holds the lock: b does not refresh
    gate.resolve('new');
    await flush();
    expect(await b.cache.wrap('hot', async () => (loadsB++, 'b'))).toBe('new');
    expect(b.cache.stats()).toMatchObject({ refreshes: 1, loads: 0 });
  });

  it('is closed with the last cache that uses it', async () => {
    const store = memoryStore();
    const stampede = fakeProtector(new Map());
    const one = createCache({ store, stampede });
    const two = createCache({ store, stampede, namespace: 'two' });
    await one.close();
    expect(stampede.closed).toBe(0);
    await two.close();
    expect(stampede.closed).toBe(1);
  });

  it.each([
    [{}, /`stampede` must be a stampede protector/],
    [{ name: 'x', tryLock: () => undefined }, /`stampede` must be a stampede protector/],
    ['redlock', /`stampede` must be a stampede protector/],
  ])('createCache refuses %j as `stampede`', (stampede, message) => {
    expect(() => createCache({ store: memoryStore(), stampede: stampede as never })).toThrow(message);
  });
});

describe('stale-serving options are checked up front', () => {
  it.each([
    [{ staleWhileRevalidate: -1 }, /`staleWhileRevalidate` must be a non-negative duration/],
    [{ staleWhileRevalidate: '5 minutes' }, /`staleWhileRevalidate` must be a non-negative duration/],
    [{ staleIfError: Number.NaN }, /`staleIfError` must be a non-negative duration/],
    [{ earlyRefresh: 'yes' }, /`earlyRefresh` must be true, false or \{ beta \}/],
    [{ earlyRefresh: { beta: 0 } }, /`earlyRefresh` must be true, false or \{ beta \}.*above 0 and at most 100/],
    [{ earlyRefresh: { beta: 101 } }, /`earlyRefresh` must be true, false or \{ beta \}/],
    [{ earlyRefresh: { beta: 1, delta: 5 } }, /`earlyRefresh` must be true, false or \{ beta \}/],
    [{ revalidate: 'foreground' }, /`revalidate` must be 'background' or 'caller'; got "foreground"/],
    [{ revalidate: true }, /`revalidate` must be 'background' or 'caller'/],
  ])('createCache(%j) throws, naming the option', (options, message) => {
    expect(() => createCache({ store: memoryStore(), ...(options as object) })).toThrow(message);
  });

  it('a TTL plus its stale window must fit the store', () => {
    const store = Object.assign(Object.create(memoryStore()), { maxTtlMs: 3_600_000 }) as never;
    expect(() => createCache({ store: memoryStore(), ttl: '1h', staleIfError: '1h' })).not.toThrow();
    expect(() => createCache({ store, ttl: '1h', staleIfError: '1m' })).toThrow(
      /`ttl` plus its stale window is 3660000 ms, longer than the memory store's maxTtl/,
    );
  });
});
