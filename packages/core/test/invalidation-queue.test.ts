// P5: invalidations that could not reach the store are queued (last one per key or tag),
// replayed in order when the store answers again, and meanwhile the entries they cover are
// neither served (fresh or stale) nor written. whenUnreachable says whether the caller
// hears about it ('reject', the default) or not ('queue').
import 'reflect-metadata';
import {
  Cached,
  type CacheEventMap,
  type CacheOptions,
  createCache,
  Invalidates,
  StoreError,
  setDefaultCache,
} from '@cachewise/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_QUEUED_INVALIDATIONS } from '../src/invalidation-queue.js';
import { faultStore } from './fault-store.js';
import { deferred, flush, testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

function setup(options: Partial<CacheOptions> = {}) {
  const clock = testClock();
  const store = faultStore();
  const cache = createCache({
    store,
    clock,
    namespace: 'q',
    jitter: 0,
    storeTimeout: 30,
    circuitBreaker: false,
    setAsDefault: true,
    ...options,
  });
  const queue: Array<CacheEventMap['queue']> = [];
  cache.on('queue', (event) => queue.push(event));
  let version = 1;
  const load = async () => `v${version}`;
  return { clock, store, cache, queue, load, bump: () => version++ };
}

/** Waits until the cache's queue is empty (the replay runs on its own timers). */
async function replayed(cache: { stats(): { queuedInvalidations: number } }): Promise<void> {
  await vi.waitFor(() => expect(cache.stats().queuedInvalidations).toBe(0), { timeout: 5_000, interval: 10 });
}

describe('invalidation queue', () => {
  it('a tag invalidation that cannot reach the store rejects, is queued, and the tagged entry is not served', async () => {
    const { store, cache, queue, load, bump } = setup();
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('v1');
    bump(); // the database changed
    store.mode.invalidateTags = 'reject';
    const error = await cache.invalidateTags(['t']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(cache.stats()).toMatchObject({ queuedInvalidations: 1, storeErrors: 1 });
    expect(queue).toEqual([{ outcome: 'queued', queued: 1 }]);
    // The store still holds v1 and answers reads: the queue keeps it from being served,
    // and the loaded value from being written over an entry the store has not invalidated.
    const writes = store.log.filter((op) => op.startsWith('write')).length;
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('v2');
    expect(await cache.get('k')).toBeUndefined();
    expect(store.log.filter((op) => op.startsWith('write')).length).toBe(writes);
    // Another key without the tag is served as usual.
    expect(await cache.wrap('other', load)).toBe('v2');
    expect(await cache.wrap('other', async () => 'not called')).toBe('v2');
  });

  it('is replayed once the store answers again; then entries are cached and served again', async () => {
    const { store, cache, queue, load, bump } = setup();
    await cache.wrap('k', load, { tags: ['t'] });
    bump();
    store.mode.invalidateTags = 'reject';
    await cache.invalidateTags(['t'], { whenUnreachable: 'queue' });
    store.mode.invalidateTags = 'ok';
    // Any answer from the store (here a read) starts the replay.
    await cache.wrap('unrelated', load);
    await replayed(cache);
    expect(queue.map((e) => e.outcome)).toEqual(['queued', 'replayed']);
    expect(store.log.filter((op) => op.startsWith('invalidateTags'))).toEqual([
      'invalidateTags:delete:q#t',
      'invalidateTags:delete:q#t',
    ]);
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('v2');
    expect(await cache.wrap('k', async () => 'not called', { tags: ['t'] })).toBe('v2');
  });

  it('with no calls at all, a retry replays it', async () => {
    const { store, cache } = setup();
    store.mode.delete = 'reject';
    await cache.delete('k', { whenUnreachable: 'queue' });
    store.mode.delete = 'ok';
    await replayed(cache);
    expect(store.log.filter((op) => op.startsWith('delete'))).toEqual(['delete:q:k:k', 'delete:q:k:k']);
  });

  it('last one per key or tag wins, and replays keep the order of the last ones', async () => {
    const { store, cache } = setup();
    store.mode.invalidateTags = 'reject';
    store.mode.delete = 'reject';
    const q = { whenUnreachable: 'queue' } as const;
    await cache.invalidateTags(['a'], { ...q, mode: 'expire' });
    await cache.delete('k1', q);
    await cache.invalidateTags(['b'], q);
    await cache.invalidateTags(['a'], q); // replaces the first, moves to the end, 'delete'
    await cache.invalidateTags(['b'], { ...q, mode: 'expire' }); // stays 'delete': an expire cannot undo a delete
    await cache.delete('k2', q);
    expect(cache.stats().queuedInvalidations).toBe(4);
    store.log.length = 0;
    store.mode.invalidateTags = 'ok';
    store.mode.delete = 'ok';
    await cache.wrap('x', async () => 1); // the store answers: replay
    await replayed(cache);
    expect(store.log.filter((op) => !op.startsWith('read') && !op.startsWith('write'))).toEqual([
      'delete:q:k:k1',
      'invalidateTags:delete:q#a,q#b',
      'delete:q:k:k2',
    ]);
  });

  it('a stale value is not served for a queued tag, whatever the stale windows', async () => {
    const { clock, store, cache, load, bump } = setup({ staleWhileRevalidate: '1h', staleIfError: '1h' });
    await cache.wrap('k', load, { tags: ['t'], ttl: '1m' });
    clock.advance(120_000);
    bump();
    store.mode.invalidateTags = 'reject';
    await cache.invalidateTags(['t'], { mode: 'expire', whenUnreachable: 'queue' });
    expect(await cache.wrap('k', load, { tags: ['t'], ttl: '1m' })).toBe('v2');
    await expect(cache.wrap('k', () => Promise.reject(new Error('db down')), { tags: ['t'] })).rejects.toThrow(
      'db down',
    );
    expect(cache.stats().staleHits).toBe(0);
  });

  it('a load running when its invalidation is queued is not written', async () => {
    const { store, cache } = setup();
    const gate = deferred<string>();
    const started = deferred<void>();
    const slow = cache.wrap('k', () => (started.resolve(), gate.promise), { tags: ['t'] });
    await started.promise;
    store.mode.invalidateTags = 'reject';
    await cache.invalidateTags(['t'], { whenUnreachable: 'queue' });
    gate.resolve('old');
    expect(await slow).toBe('old');
    expect(store.log.some((op) => op.startsWith('write'))).toBe(false);
  });

  it('an entry carrying a queued result tag is not served', async () => {
    const { store, cache, load, bump } = setup();
    const opts = { tags: ['list'], resultTags: () => ['item:1'] };
    await cache.wrap('k', load, opts);
    expect(await cache.wrap('k', async () => 'not called', opts)).toBe('v1');
    bump();
    store.mode.invalidateTags = 'reject';
    await cache.invalidateTags(['item:1'], { whenUnreachable: 'queue' });
    expect(await cache.wrap('k', load, { tags: ['list'] })).toBe('v2');
  });

  it('replays consecutive invalidations of one kind in store calls of at most 1,000', async () => {
    const { store, cache } = setup();
    store.mode.delete = 'reject';
    const keys = Array.from({ length: 2_500 }, (_, i) => `key${i}`);
    await cache.delete(...keys, { whenUnreachable: 'queue' });
    store.log.length = 0;
    store.mode.delete = 'ok';
    await replayed(cache);
    const sizes = store.log.filter((op) => op.startsWith('delete:')).map((op) => op.split(',').length);
    expect(sizes).toEqual([1_000, 1_000, 500]);
  });

  it('past the bound the queue becomes one clear() of the namespace, which keeps every entry from being served', async () => {
    const { store, cache, queue, load, bump } = setup();
    const neighbour = createCache({ store, namespace: 'n', storeTimeout: 30, circuitBreaker: false });
    await neighbour.set('kept', 'neighbour');
    await cache.wrap('k', load);
    bump();
    store.mode.delete = 'reject';
    const keys = Array.from({ length: MAX_QUEUED_INVALIDATIONS }, (_, i) => `key${i}`);
    await cache.delete(...keys, { whenUnreachable: 'queue' });
    expect(cache.stats().queuedInvalidations).toBe(MAX_QUEUED_INVALIDATIONS);
    await cache.delete('one-more', { whenUnreachable: 'queue' });
    expect(queue.at(-1)).toEqual({ outcome: 'overflowed', queued: 1 });
    expect(cache.stats().queuedInvalidations).toBe(1);
    expect(await cache.wrap('k', load)).toBe('v2'); // not served: the namespace is held
    store.mode.delete = 'ok';
    await replayed(cache);
    expect(store.log.filter((op) => op.startsWith('invalidateTags'))).toEqual(['invalidateTags:delete:q#']);
    expect(await cache.wrap('k', load)).toBe('v2');
    expect(await cache.wrap('k', async () => 'not called')).toBe('v2');
    expect(await neighbour.get('kept')).toBe('neighbour');
  });

  it('an invalidation that reaches the store later covers the queued ones it includes', async () => {
    const { store, cache } = setup();
    store.mode.invalidateTags = 'reject';
    store.mode.delete = 'reject';
    await cache.invalidateTags(['a', 'b'], { whenUnreachable: 'queue' });
    await cache.delete('k', { whenUnreachable: 'queue' });
    store.mode.invalidateTags = 'ok';
    await cache.invalidateTags(['a']);
    expect(cache.stats().queuedInvalidations).toBe(2);
    await cache.clear();
    expect(cache.stats().queuedInvalidations).toBe(0);
  });

  it('close() makes one bounded last attempt, then drops what is left, and says so', async () => {
    const { store, cache, queue } = setup();
    store.all('hang');
    store.mode.close = 'hang';
    await cache.invalidateTags(['t'], { whenUnreachable: 'queue' });
    await cache.close(); // resolves although neither the replay nor the store's close answer
    expect(queue.map((e) => e.outcome)).toEqual(['queued', 'dropped']);
    expect(cache.stats().queuedInvalidations).toBe(0);
    expect(store.log).toContain('close');
  });

  it('close() replays what it can before closing the store', async () => {
    const { store, cache } = setup();
    store.mode.delete = 'reject';
    await cache.delete('k', { whenUnreachable: 'queue' });
    store.mode.delete = 'ok';
    await cache.close();
    expect(store.log.filter((op) => op.startsWith('delete'))).toEqual(['delete:q:k:k', 'delete:q:k:k']);
  });
});

describe('whenUnreachable', () => {
  it("'queue' resolves; the default 'reject' rejects with the store's error; both queue", async () => {
    const { store, cache } = setup();
    store.mode.invalidateTags = 'reject';
    store.mode.delete = 'reject';
    await expect(cache.invalidateTags(['t'])).rejects.toThrow('invalidateTags failed');
    await expect(cache.delete('k')).rejects.toThrow('delete failed');
    await expect(cache.clear()).rejects.toThrow('invalidateTags failed');
    expect(cache.stats().queuedInvalidations).toBe(3);
    await cache.invalidateTags(['u'], { whenUnreachable: 'queue' });
    await cache.delete('k2', { whenUnreachable: 'queue' });
    await cache.clear({ whenUnreachable: 'queue' });
    expect(cache.stats().queuedInvalidations).toBe(5);
  });

  it("@Invalidates rejects after the method ran by default, and resolves with its result with 'queue'", async () => {
    const { store, cache, load, bump } = setup();
    let writes = 0;
    class Repo {
      @Cached({ tags: (id: number) => [`row:${id}`] })
      async find(id: number): Promise<string> {
        return `${id}:${await load()}`;
      }
      @Invalidates({ tags: (id: number) => [`row:${id}`] })
      async save(_id: number): Promise<string> {
        writes++;
        bump();
        return 'saved';
      }
      @Invalidates({ tags: (id: number) => [`row:${id}`], keys: ['k'], whenUnreachable: 'queue' })
      async saveQueued(_id: number): Promise<string> {
        writes++;
        bump();
        return 'saved';
      }
    }
    const repo = new Repo();
    expect(await repo.find(1)).toBe('1:v1');
    store.mode.invalidateTags = 'reject';
    store.mode.delete = 'reject';
    const failure = await repo.save(1).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(writes).toBe(1);
    expect(await repo.find(1)).toBe('1:v2'); // not served from the store while queued
    expect(await repo.saveQueued(1)).toBe('saved');
    expect(writes).toBe(2);
    expect(await repo.find(1)).toBe('1:v3');
    expect(cache.stats().queuedInvalidations).toBe(2);
  });

  it('an invalidation that times out rejects with a StoreError of reason timeout', async () => {
    const { store, cache } = setup();
    store.mode.invalidateTags = 'hang';
    const error = (await cache.invalidateTags(['t']).catch((e: unknown) => e)) as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.reason).toBe('timeout');
    await flush();
  });
});

describe('replay timing', () => {
  afterEach(() => vi.useRealTimers());

  it('retries back off from 100 ms, doubling, at most 5 s apart', async () => {
    vi.useFakeTimers();
    const store = faultStore();
    const cache = createCache({ store, namespace: 'r', storeTimeout: 30, circuitBreaker: false });
    store.mode.delete = 'reject';
    await cache.delete('k', { whenUnreachable: 'queue' });
    const attempts: number[] = [];
    const start = Date.now();
    for (let ms = 0; ms < 20_000; ms += 10) {
      const before = store.log.length;
      await vi.advanceTimersByTimeAsync(10);
      if (store.log.length > before) attempts.push(Date.now() - start);
    }
    const gaps = attempts.map((at, i) => at - (attempts[i - 1] ?? 0));
    expect(gaps.slice(0, 6)).toEqual([100, 200, 400, 800, 1600, 3200]);
    expect(gaps.slice(6).every((gap) => gap === 5_000)).toBe(true);
    store.mode.delete = 'ok';
    await vi.advanceTimersByTimeAsync(5_000);
    expect(cache.stats().queuedInvalidations).toBe(0);
  });

  it('with the breaker open, the replay waits for the end of the cooldown, and is the probe', async () => {
    vi.useFakeTimers();
    const store = faultStore();
    const cache = createCache({
      store,
      namespace: 'r',
      storeTimeout: 30,
      circuitBreaker: { failures: 1, cooldown: '2s' },
    });
    const states: string[] = [];
    cache.on('breaker', (event) => states.push(event.state));
    store.mode.delete = 'reject';
    await cache.delete('k', { whenUnreachable: 'queue' });
    expect(states).toEqual(['open']);
    store.mode.delete = 'ok';
    await vi.advanceTimersByTimeAsync(1_990);
    expect(store.log).toEqual(['delete:r:k:k']);
    await vi.advanceTimersByTimeAsync(20);
    expect(store.log).toEqual(['delete:r:k:k', 'delete:r:k:k']);
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(cache.stats().queuedInvalidations).toBe(0);
  });
});

describe('other caches', () => {
  it("do not know this cache's queue: on the same data they serve what the store holds until the replay", async () => {
    const data = faultStore().inner;
    const here = faultStore(data);
    const there = faultStore(data);
    const a = createCache({ store: here, namespace: 's', storeTimeout: 30, circuitBreaker: false, jitter: 0 });
    const b = createCache({ store: there, namespace: 's', storeTimeout: 30, circuitBreaker: false, jitter: 0 });
    await a.wrap('k', async () => 'old', { tags: ['t'] });
    here.mode.invalidateTags = 'reject';
    await a.invalidateTags(['t'], { whenUnreachable: 'queue' });
    expect(await a.wrap('k', async () => 'new', { tags: ['t'] })).toBe('new');
    expect(await b.wrap('k', async () => 'new', { tags: ['t'] })).toBe('old');
    here.mode.invalidateTags = 'ok';
    await a.wrap('other', async () => 1); // the store answers a: its queue replays
    await replayed(a);
    expect(await b.wrap('k', async () => 'new', { tags: ['t'] })).toBe('new');
  });
});

describe('a store that answers reads but refuses invalidations', () => {
  it('is not sent a replay per call: at most one per 100 ms besides the retries', async () => {
    const { store, cache } = setup();
    await cache.set('x', 1);
    store.mode.invalidateTags = 'reject';
    await cache.invalidateTags(['t'], { whenUnreachable: 'queue' });
    const started = performance.now();
    for (let i = 0; i < 200; i++) await cache.get('x');
    await flush();
    const elapsed = performance.now() - started;
    const replays = store.log.filter((op) => op.startsWith('invalidateTags')).length - 1;
    // One immediate replay per 100 ms at most, plus the backed-off retries (100, 200, 400 ms...).
    expect(replays).toBeLessThanOrEqual(2 * Math.ceil(elapsed / 100) + 2);
    expect(replays).toBeLessThan(200);
    expect(cache.stats().queuedInvalidations).toBe(1);
  });
});

describe('close() with a stampede protector', () => {
  it('does not wait past the bound for a protector whose close never answers', async () => {
    const store = faultStore();
    const protector = {
      name: 'stuck',
      tryLock: async () => undefined,
      waitForRelease: async () => true,
      close: () => new Promise<void>(() => {}),
    };
    const cache = createCache({ store, namespace: 'p', storeTimeout: 30, stampede: protector });
    store.mode.close = 'hang';
    await cache.close(); // resolves: both closes go on in the background past storeTimeout
    expect(store.log).toEqual(['close']);
  });
});
