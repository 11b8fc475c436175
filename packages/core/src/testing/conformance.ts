import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Cache, createCache, setDefaultCache } from '../cache.js';
import type { CacheOptions } from '../options.js';
import { isThenable, type Store } from '../store.js';
import { freshnessConformance } from './conformance-freshness.js';
import { deferred, type FakeClock, fakeClock } from './fake-clock.js';

/** What the suite gives a factory for one test. */
export interface ConformanceContext {
  /** The fake clock the test's caches run on: give it to a store that reads time (a tiered store's `clock`). */
  readonly clock: FakeClock;
}

/** What a conformance factory returns for one test. */
export interface StoreUnderTest {
  readonly store: Store;
  /** Called after the test: remove what the test wrote, close what the factory opened. */
  cleanup?: () => Promise<void> | void;
}

export interface ConformanceOptions {
  /** Extra createCache options (e.g. a serializer). */
  readonly cacheOptions?: Partial<CacheOptions>;
  /**
   * Whether the store implements the optional `versionMark()` (what `resultTags` needs),
   * so the suite checks it. Default true.
   */
  readonly versionMark?: boolean;
}

const resolved = async <T>(value: T | Promise<T>): Promise<T> => (isThenable(value) ? await value : value);

/** Waits, turn by turn of the event loop (never by a timer), until `condition` holds. */
async function until(condition: () => boolean, turns = 10_000): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
}

/**
 * The conformance suite every Store runs, including third-party ones. It checks the
 * contract directly (reads, conditional writes, generations, tag versions) and through
 * `createCache` (hits, misses, tags, namespaces, P2 races, value round-trips).
 *
 * `factory` is called before every test and must return a store that shares nothing
 * with earlier tests (a fresh prefix is enough).
 *
 * @example
 * import { runStoreConformance } from '@cachewise/core/testing';
 * runStoreConformance('my store', async () => ({ store: myStore(), cleanup: () => ... }));
 */
export function runStoreConformance(
  name: string,
  factory: (context: ConformanceContext) => Promise<StoreUnderTest> | StoreUnderTest,
  options: ConformanceOptions = {},
): void {
  describe(`Store conformance: ${name}`, () => {
    let subject: StoreUnderTest;
    let store: Store;
    let clock: FakeClock;
    let caches: Cache[];

    const newCache = (namespace = 'conf', extra: Partial<CacheOptions> = {}): Cache => {
      const cache = createCache({ store, namespace, clock, jitter: 0, ...options.cacheOptions, ...extra });
      caches.push(cache);
      return cache;
    };

    beforeEach(async () => {
      clock = fakeClock();
      subject = await factory({ clock });
      store = subject.store;
      caches = [];
    });

    afterEach(async () => {
      setDefaultCache(undefined);
      await subject.cleanup?.();
    });

    describe('contract', () => {
      it('reads a missing key as no record, with one state per asked tag', async () => {
        const read = await resolved(store.read('conf:k:missing', ['conf#', 'conf#a', 'conf#b']));
        expect(read.record).toBeUndefined();
        expect(read.tags).toHaveLength(3);
        expect(typeof read.generation).toBe('number');
      });

      it('moves tag versions forward on every invalidation; hardVersion only on delete', async () => {
        const [before] = await resolved(store.readTags(['conf#t']));
        await resolved(store.invalidateTags(['conf#t'], 'expire'));
        const [soft] = await resolved(store.readTags(['conf#t']));
        await resolved(store.invalidateTags(['conf#t'], 'delete'));
        const [hard] = await resolved(store.readTags(['conf#t']));
        expect(soft!.version).toBeGreaterThan(before!.version);
        expect(soft!.hardVersion).toBe(before!.hardVersion);
        expect(hard!.version).toBeGreaterThan(soft!.version);
        expect(hard!.hardVersion).toBeGreaterThan(before!.hardVersion);
      });

      it('keeps tag states in the order asked and leaves other tags alone', async () => {
        await resolved(store.invalidateTags(['conf#b'], 'delete'));
        const states = await resolved(store.readTags(['conf#a', 'conf#b', 'conf#c']));
        // Versions are compared for equality only: a store may give a tag it has no state
        // for any new version (Redis takes one from its clock on the first read).
        expect(states[1]!.version).not.toBe(states[0]!.version);
        expect(states[0]).toEqual(states[2]);
      });

      it('refuses a write whose generation was moved on by a delete', async () => {
        const cache = newCache();
        await cache.set('g', 1);
        const read = await resolved(store.read('conf:k:g', ['conf#']));
        await resolved(store.delete(['conf:k:g']));
        const after = await resolved(store.read('conf:k:g', ['conf#']));
        expect(after.record).toBeUndefined();
        expect(after.generation).not.toBe(read.generation);
        // A payload from a load that began before the delete is refused.
        const payload = read.record;
        expect(payload).toBeDefined();
        const written = await resolved(
          store.write('conf:k:g', payload as never, { ttlMs: 60_000, generation: read.generation }),
        );
        expect(written).toBe(false);
        expect((await resolved(store.read('conf:k:g', ['conf#']))).record).toBeUndefined();
      });

      it('moves the generation on with an unconditional write, refusing an older load after it', async () => {
        const cache = newCache();
        await cache.set('s', 'old');
        const before = await resolved(store.read('conf:k:s', ['conf#']));
        const payload = before.record;
        expect(payload).toBeDefined();
        // An explicit set (generation undefined) lands while a load that read `before` runs.
        await resolved(store.write('conf:k:s', payload as never, { ttlMs: 60_000, generation: undefined }));
        const after = await resolved(store.read('conf:k:s', ['conf#']));
        expect(after.generation).not.toBe(before.generation);
        expect(
          await resolved(store.write('conf:k:s', payload as never, { ttlMs: 60_000, generation: before.generation })),
        ).toBe(false);
      });
    });

    describe('through createCache', () => {
      it('misses, then hits, on a wrapped loader', async () => {
        const cache = newCache();
        let calls = 0;
        const load = () => cache.wrap('user:1', async () => ({ id: 1, calls: ++calls }));
        expect(await load()).toEqual({ id: 1, calls: 1 });
        expect(await load()).toEqual({ id: 1, calls: 1 });
        expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, loads: 1 });
      });

      it('caches null and undefined, told apart from a miss', async () => {
        const cache = newCache();
        await cache.set('null', null);
        await cache.set('undef', undefined);
        expect(await cache.getEntry('null')).toMatchObject({ value: null });
        const undef = await cache.getEntry('undef');
        expect(undef).toBeDefined();
        expect(undef!.value).toBeUndefined();
        expect(await cache.getEntry('never-set')).toBeUndefined();
      });

      it('expires entries by the injected clock', async () => {
        const cache = newCache('conf', { ttl: '1m' });
        await cache.set('t', 'v');
        clock.advance(59_000);
        expect(await cache.get('t')).toBe('v');
        clock.advance(1_000);
        expect(await cache.get('t')).toBeUndefined();
      });

      it('invalidates by tag only the tagged entries', async () => {
        const cache = newCache();
        await cache.set('a', 'A', { tags: ['user:1', 'users'] });
        await cache.set('b', 'B', { tags: ['user:2', 'users'] });
        await cache.set('c', 'C');
        await cache.invalidateTags(['user:1']);
        expect(await cache.get('a')).toBeUndefined();
        expect(await cache.get('b')).toBe('B');
        await cache.invalidateTags(['users']);
        expect(await cache.get('b')).toBeUndefined();
        expect(await cache.get('c')).toBe('C');
      });

      it('handles many tags on one entry and keys with braces, colons and unicode', async () => {
        const cache = newCache();
        const tags = Array.from({ length: 40 }, (_, i) => `t{${i}}:é`);
        await cache.set('k{1}:ü/🙂', 'v', { tags });
        expect(await cache.wrap('k{1}:ü/🙂', async () => 'other', { tags })).toBe('v');
        await cache.invalidateTags([tags[39]!]);
        expect(await cache.get('k{1}:ü/🙂')).toBeUndefined();
      });

      it('clears one namespace in O(1), leaving another namespace on the same store', async () => {
        const a = newCache('conf-a');
        const b = newCache('conf-b');
        await a.set('k', 'a');
        await b.set('k', 'b');
        await a.clear();
        expect(await a.get('k')).toBeUndefined();
        expect(await b.get('k')).toBe('b');
      });

      it('deletes keys', async () => {
        const cache = newCache();
        await cache.set('x', 1);
        await cache.set('y', 2);
        await cache.delete('x', 'y');
        expect(await cache.get('x')).toBeUndefined();
        expect(await cache.get('y')).toBeUndefined();
      });

      for (const [label, invalidate] of [
        ['a tag invalidation', (c: Cache) => c.invalidateTags(['t'])],
        ['a delete', (c: Cache) => c.delete('race')],
        ['clear()', (c: Cache) => c.clear()],
      ] as const) {
        it(`never serves a load that began before ${label} as fresh after it (P2)`, async () => {
          const writer = newCache();
          const other = newCache('conf', { setAsDefault: false }); // a second cache, like another process
          const gate = deferred<string>();
          const started = deferred<void>();
          const slow = writer.wrap(
            'race',
            () => {
              started.resolve(); // the loader runs only after the store was read
              return gate.promise;
            },
            { tags: ['t'] },
          );
          await started.promise;
          await invalidate(other);
          gate.resolve('old');
          expect(await slow).toBe('old'); // its own caller still gets it
          let fresh = 0;
          expect(await other.wrap('race', async () => `new${++fresh}`, { tags: ['t'] })).toBe('new1');
        });
      }

      it('keeps a set() that lands during an older load: the load never overwrites it', async () => {
        const cache = newCache();
        const other = newCache('conf', { setAsDefault: false });
        const gate = deferred<string>();
        const started = deferred<void>();
        const slow = cache.wrap('user:1', () => {
          started.resolve();
          return gate.promise;
        });
        await started.promise;
        await other.set('user:1', 'NEW');
        gate.resolve('OLD');
        expect(await slow).toBe('OLD'); // its own caller still gets what it loaded
        expect(await cache.get('user:1')).toBe('NEW');
        expect(await other.wrap('user:1', async () => 'LOADED')).toBe('NEW');
      });

      it('runs the loader once for concurrent callers of a cold key', async () => {
        const cache = newCache();
        const gate = deferred<number>();
        let calls = 0;
        const callers = Array.from({ length: 20 }, () =>
          cache.wrap('cold', () => {
            calls++;
            return gate.promise;
          }),
        );
        // Let every caller's read come back before the load finishes: a load that ends
        // before a slow read returns is a later load, not a concurrent one.
        await until(() => cache.stats().misses === 20);
        gate.resolve(7);
        expect(await Promise.all(callers)).toEqual(Array(20).fill(7));
        expect(calls).toBe(1);
        expect(cache.stats().coalesced).toBe(19);
      });

      it('does not cache a rejected load, and its error reaches the caller unchanged', async () => {
        const cache = newCache();
        const boom = new Error('boom');
        await expect(cache.wrap('fail', async () => Promise.reject(boom))).rejects.toBe(boom);
        expect(await cache.wrap('fail', async () => 'ok')).toBe('ok');
      });

      it('round-trips the value types the serializer promises', async () => {
        const cache = newCache();
        const value = {
          date: new Date(1_700_000_000_000),
          big: 123456789012345678901234567890n,
          map: new Map<unknown, unknown>([
            [1, 'one'],
            ['k', { nested: new Set([1, 2]) }],
          ]),
          set: new Set(['a', 'b']),
          undef: undefined,
          list: [undefined, null, Number.NaN, -0, Infinity],
          bytes: new Uint8Array([0, 1, 254, 255]),
          floats: new Float64Array([1.5, -2.25]),
          text: 'ünïcødé \u0000 "quoted"',
          holes: Object.assign(new Array<number>(3), { 1: 1, total: 1 }),
          bare: Object.assign(Object.create(null) as Record<string, number>, { a: 1 }),
        };
        await cache.set('types', value);
        const back = (await cache.get<typeof value>('types'))!;
        expect(back).toEqual(value);
        expect(0 in back.holes).toBe(false);
        expect(back.holes.total).toBe(1);
        expect(Object.getPrototypeOf(back.bare)).toBeNull();
        expect(back.date).toBeInstanceOf(Date);
        expect(back.map).toBeInstanceOf(Map);
        expect(back.bytes).toBeInstanceOf(Uint8Array);
        expect(Object.is(back.list[3], -0)).toBe(true);
      });
    });

    describe('stale windows, load times and result tags', () => {
      freshnessConformance(
        { store: () => store, clock: () => clock, newCache: (namespace, extra) => newCache(namespace, extra) },
        options.versionMark !== false,
      );
    });
  });
}
