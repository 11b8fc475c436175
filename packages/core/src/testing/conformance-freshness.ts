import { expect, it } from 'vitest';
import type { Cache } from '../cache.js';
import type { CacheOptions } from '../options.js';
import { decodeRecord } from '../record.js';
import { jsonSerializer } from '../serializer.js';
import { isThenable, type Store } from '../store.js';
import { deferred, type FakeClock } from './fake-clock.js';

const resolved = async <T>(value: T | Promise<T>): Promise<T> => (isThenable(value) ? await value : value);

/** What the freshness tests need from the suite's per-test state. */
export interface FreshnessSubject {
  store(): Store;
  clock(): FakeClock;
  newCache(namespace?: string, extra?: Partial<CacheOptions>): Cache;
}

/**
 * Stale windows, load times and result tags, through createCache: the store must keep an
 * entry for its TTL plus the stale window core asks for, hand back the record's load
 * time, and (with `versionMark`) let `resultTags` keep P2.
 */
export function freshnessConformance(subject: FreshnessSubject, withVersionMark: boolean): void {
  it('keeps an entry through its stale window and serves it while one refresh runs', async () => {
    const cache = subject.newCache('conf', { ttl: '1m', staleWhileRevalidate: '10m' });
    let calls = 0;
    const gate = deferred<string>();
    const load = () => cache.wrap('swr', () => (++calls === 1 ? Promise.resolve('v1') : gate.promise));
    expect(await load()).toBe('v1');
    subject.clock().advance(5 * 60_000); // past the TTL, inside the window
    expect(await load()).toBe('v1'); // stale, at once
    expect(await load()).toBe('v1'); // still stale: the refresh runs once
    expect(calls).toBe(2);
    gate.resolve('v2');
    await until(async () => (await cache.get('swr')) === 'v2');
    expect(await load()).toBe('v2');
    expect(cache.stats()).toMatchObject({ staleHits: 2, staleRevalidating: 2, refreshes: 1, refreshErrors: 0 });
  });

  it("serves an entry invalidated in 'expire' mode when the load fails (staleIfError), not in 'delete' mode", async () => {
    const cache = subject.newCache('conf', { staleIfError: '1h' });
    const boom = new Error('database down');
    await cache.set('sie', 'kept', { tags: ['t'] });
    await cache.invalidateTags(['t'], { mode: 'expire' });
    expect(await cache.wrap('sie', () => Promise.reject(boom), { tags: ['t'] })).toBe('kept');
    await cache.invalidateTags(['t'], { mode: 'delete' });
    await expect(cache.wrap('sie', () => Promise.reject(boom), { tags: ['t'] })).rejects.toBe(boom);
    expect(cache.stats()).toMatchObject({ staleOnError: 1, staleInvalidated: 1 });
  });

  it('hands back the load time (delta) it was given, for early refresh', async () => {
    const cache = subject.newCache();
    await cache.wrap('delta', async () => {
      subject.clock().advance(40);
      return 'v';
    });
    const store = subject.store();
    const read = await resolved(store.read('conf:k:delta', ['conf#']));
    const record =
      store.payload === 'live' ? read.record : decodeRecord(read.record as Uint8Array, jsonSerializer, LIMITS);
    expect(record).toMatchObject({ value: 'v', delta: 40 });
  });

  if (!withVersionMark) return;

  it('marks where versions stand: a tag invalidated after the mark reaches it, one before stays below', async () => {
    const store = subject.store();
    await resolved(store.invalidateTags(['conf#before'], 'delete'));
    const [before] = await resolved(store.readTags(['conf#before']));
    const mark = await resolved(store.versionMark!());
    await resolved(store.invalidateTags(['conf#after'], 'expire'));
    await resolved(store.invalidateTags(['conf#before'], 'expire'));
    const [after, again] = await resolved(store.readTags(['conf#after', 'conf#before']));
    expect(before!.version).toBeLessThan(mark);
    expect(after!.version).toBeGreaterThanOrEqual(mark);
    expect(again!.version).toBeGreaterThanOrEqual(mark);
  });

  it('never caches as fresh a load whose result tag was invalidated during it (resultTags, P2)', async () => {
    const cache = subject.newCache();
    const other = subject.newCache('conf', { setAsDefault: false });
    const options = { resultTags: (ids: number[]) => ids.map((id) => `item:${id}`) };
    // The tags exist before the load (as they do once entries name them).
    await cache.invalidateTags(['item:1', 'item:2']);
    const gate = deferred<number[]>();
    const started = deferred<void>();
    const slow = cache.wrap(
      'list',
      () => {
        started.resolve();
        return gate.promise;
      },
      options,
    );
    await started.promise;
    await other.invalidateTags(['item:2']);
    gate.resolve([1, 2]);
    expect(await slow).toEqual([1, 2]);
    let loads = 0;
    expect(await other.wrap('list', async () => [1, 2, ++loads], options)).toEqual([1, 2, 1]);
    expect(await other.wrap('list', async () => [1, 2, ++loads], options)).toEqual([1, 2, 1]); // now cached
    await other.invalidateTags(['item:1']); // a tag only the result named
    expect(await other.wrap('list', async () => [1, 2, ++loads], options)).toEqual([1, 2, 2]);
  });
}

const LIMITS = { maxPayloadBytes: 8 * 1024 * 1024 };

/** Waits, turn by turn of the event loop (never by a timer), until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns && !(await condition()); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!(await condition())) throw new Error('condition not reached');
}
