// The tiered store in one process: two "servers" (two tiered stores, each with its own
// memory L1 and bus endpoint) over one shared L2, on a fake clock. What L1 answers, when
// it stops answering (P6), and what each server serves after another one's change.
import { type Cache, type CacheEventMap, createCache, type Store, setDefaultCache, tiered } from '@cachewise/core';
import type { CacheRecord, StoreRead } from '@cachewise/core/store';
import { type FakeClock, fakeClock, type LocalBus, localBusHub } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { flush } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

/** A store that counts the reads that reach it (the L2 every server shares). */
function countingL2(): Store & { reads: number; down: boolean } {
  const inner = memoryStore({ serialize: true });
  const counted = {
    reads: 0,
    down: false,
    name: 'shared',
    payload: 'bytes' as const,
    read(key: string, tags: readonly string[]) {
      counted.reads++;
      if (counted.down) return Promise.reject(new Error('L2 down'));
      return inner.read(key, tags) as StoreRead<Uint8Array>;
    },
    readTags: (tags: readonly string[]) => inner.readTags(tags),
    write: (key: string, payload: Uint8Array, options: never) => inner.write(key, payload, options),
    delete: (keys: readonly string[]) => inner.delete(keys),
    invalidateTags: (tags: readonly string[], mode: 'delete' | 'expire') => inner.invalidateTags(tags, mode),
    versionMark: () => inner.versionMark!(),
    close: () => {},
  };
  return counted;
}

interface Server {
  cache: Cache;
  bus: LocalBus;
  errors: Array<CacheEventMap['error']>;
}

function fleet(options: { l1Ttl?: string; staleWhileRevalidate?: string } = {}) {
  const clock: FakeClock = fakeClock();
  const hub = localBusHub();
  const l2 = countingL2();
  const server = (): Server => {
    const bus = hub.bus();
    const store = tiered({
      l1: memoryStore(),
      l2,
      bus,
      clock,
      ...(options.l1Ttl ? { l1Ttl: options.l1Ttl as '1s' } : {}),
    });
    const cache = createCache({
      store,
      clock,
      jitter: 0,
      ttl: '1m',
      ...(options.staleWhileRevalidate ? { staleWhileRevalidate: options.staleWhileRevalidate as '1s' } : {}),
    });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    return { cache, bus, errors };
  };
  return { clock, hub, l2, a: server(), b: server() };
}

/** A loader that says which call it was. */
function versions() {
  let n = 0;
  return async () => `v${++n}`;
}

describe('tiered: the in-memory tier', () => {
  it('answers repeated reads without reaching L2', async () => {
    const { a, l2 } = fleet();
    await flush(); // subscribed
    const load = versions();
    expect(await a.cache.wrap('k', load)).toBe('v1'); // miss: L2 read, load, L2 write
    expect(await a.cache.wrap('k', load)).toBe('v1'); // L2 read, copied into L1
    const reads = l2.reads;
    for (let i = 0; i < 10; i++) expect(await a.cache.wrap('k', load)).toBe('v1');
    expect(l2.reads).toBe(reads);
  });

  it('an L1 that answers with rejected promises is not used, and none of its rejections goes unhandled', async () => {
    const failed = () => Promise.reject(new Error('L1 broke'));
    let asked = 0;
    const l1 = {
      name: 'async-l1',
      payload: 'live' as const,
      read: () => (asked++, failed()),
      readTags: failed,
      write: failed,
      delete: failed,
      invalidateTags: failed,
      close: failed,
    } as unknown as Store;
    const hub = localBusHub();
    const cache = createCache({ store: tiered({ l1, l2: memoryStore(), bus: hub.bus() }), setAsDefault: false });
    await flush(); // subscribed
    const load = versions();
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('v1');
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('v1'); // from L2
    expect(await cache.get('k')).toBe('v1');
    await cache.set('k', 'set');
    await cache.invalidateTags(['t']);
    await cache.delete('k');
    await cache.clear();
    expect(await cache.wrap('k', load, { tags: ['t'] })).toBe('v2');
    expect(asked).toBeGreaterThanOrEqual(4);
    await flush();
    // An unhandled rejection would fail this test file (vitest reports them as errors).
  });

  it("stamps a copy with the caller's own tag list and shares one list of versions between copies", () => {
    const l1 = memoryStore();
    const l2 = memoryStore({ serialize: true });
    const store = tiered({ l1, l2, bus: false });
    const tags = ['cw#', 'cw#t'];
    const now = Date.now();
    for (const key of ['a', 'b']) {
      // An entry as a cache writes it (envelope v3), with its own copy of the tag list.
      const envelope = `[3,${now},${now + 60_000},${JSON.stringify(tags)},[0,0],0,${JSON.stringify(key)},0]`;
      l2.write(key, new Uint8Array(Buffer.from(envelope)), { ttlMs: 60_000, generation: undefined });
    }
    for (const key of ['a', 'b']) store.read(key, tags); // from L2, copied into L1
    const [a, b] = ['a', 'b'].map((key) => (l1.read(key, tags) as StoreRead<CacheRecord>).record!);
    expect(a!.tags).toBe(tags);
    expect(b!.versions).toBe(a!.versions);
  });

  it('keeps a copy no longer than l1Ttl, nor past the entry’s own TTL', async () => {
    const { a, l2, clock } = fleet({ l1Ttl: '10s' });
    await flush();
    const load = versions();
    await a.cache.wrap('k', load);
    await a.cache.wrap('k', load); // copied
    let reads = l2.reads;
    clock.advance(10_000); // the copy ends; the entry lives on in L2
    const before = a.cache.stats();
    expect(await a.cache.wrap('k', load)).toBe('v1');
    expect(l2.reads).toBe(reads + 1);
    // The call judged the ended copy, read L2 instead: one hit, nothing stale, no load.
    expect(a.cache.stats()).toMatchObject({
      hits: before.hits + 1,
      misses: before.misses,
      staleHits: before.staleHits,
      loads: before.loads,
    });
    reads = l2.reads;
    clock.advance(45_000); // 55 s: a new copy, which must end with the entry at 60 s
    expect(await a.cache.wrap('k', load)).toBe('v1');
    clock.advance(5_000);
    expect(await a.cache.wrap('k', load)).toBe('v2');
  });
});

describe('tiered: coherence across servers (P6)', () => {
  async function warm(server: Server, key: string, load: () => Promise<string>, tags?: string[]) {
    await server.cache.wrap(key, load, tags ? { tags } : {});
    return server.cache.wrap(key, load, tags ? { tags } : {}); // now in its L1
  }

  it("a tag invalidation on one server drops the other's copies as soon as the message arrives", async () => {
    const { a, b } = fleet();
    await flush();
    const load = versions();
    await warm(b, 'user:1', load, ['user:1']);
    await a.cache.invalidateTags(['user:1']);
    await flush(); // the bus delivers
    expect(await b.cache.wrap('user:1', load, { tags: ['user:1'] })).toBe('v2');
  });

  it("set() and delete() on one server drop the other's copy of that key", async () => {
    const { a, b } = fleet();
    await flush();
    await warm(b, 'k', versions());
    await a.cache.set('k', 'set by a');
    await flush();
    expect(await b.cache.get('k')).toBe('set by a');
    await warm(b, 'j', versions());
    await a.cache.delete('j');
    await flush();
    expect(await b.cache.get('j')).toBeUndefined();
    expect(await a.cache.wrap('k', versions())).toBe('set by a');
  });

  it('clear() on one server drops every copy of that namespace on the others', async () => {
    const { a, b } = fleet();
    await flush();
    await warm(b, 'x', versions());
    await a.cache.clear();
    await flush();
    expect(await b.cache.get('x')).toBeUndefined();
  });

  it('a lost message is noticed at the next one from that server: the receiver empties its L1', async () => {
    const { a, b } = fleet();
    await flush();
    await warm(b, 'user:1', versions(), ['user:1']);
    await warm(b, 'user:2', async () => 'u2', ['user:2']);
    await a.cache.invalidateTags(['warm-up']); // b hears a's first message
    await flush();
    b.bus.lose(1);
    await a.cache.invalidateTags(['user:1']); // lost on its way to b
    await flush();
    // The window P6 leaves: until a's next message, b still serves its copy.
    expect(await b.cache.wrap('user:1', async () => 'new', { tags: ['user:1'] })).toBe('v1');
    await a.cache.invalidateTags(['unrelated']); // b sees the gap
    await flush();
    expect(await b.cache.wrap('user:1', async () => 'new', { tags: ['user:1'] })).toBe('new');
  });

  it('a first message past number 1 from a server not heard before also empties L1 (earlier ones may be lost)', async () => {
    const { a, b, l2 } = fleet();
    await flush();
    b.bus.lose(1);
    await a.cache.invalidateTags(['user:1']); // a's message 1, lost to b
    await warm(b, 'k', versions());
    let reads = l2.reads;
    expect(await b.cache.wrap('k', async () => 'reloaded')).toBe('v1');
    expect(l2.reads).toBe(reads); // from L1
    await a.cache.invalidateTags(['unrelated']); // a's message 2: b has not heard from a before
    await flush();
    reads = l2.reads;
    expect(await b.cache.wrap('k', async () => 'reloaded')).toBe('v1');
    expect(l2.reads).toBe(reads + 1); // L1 was emptied: from L2
  });

  it('while its subscription is down a server reads L2 only, and starts again from an empty L1', async () => {
    const { a, b, l2 } = fleet();
    await flush();
    await warm(b, 'user:1', versions(), ['user:1']);
    b.bus.disconnect();
    let reads = l2.reads;
    expect(await b.cache.wrap('user:1', async () => 'x', { tags: ['user:1'] })).toBe('v1'); // from L2
    expect(l2.reads).toBe(reads + 1);
    await a.cache.invalidateTags(['user:1']); // b cannot hear it
    await flush();
    expect(await b.cache.wrap('user:1', async () => 'new', { tags: ['user:1'] })).toBe('new');
    b.bus.reconnect();
    reads = l2.reads;
    expect(await b.cache.wrap('user:1', async () => 'newer', { tags: ['user:1'] })).toBe('new'); // from L2, copied
    expect(await b.cache.wrap('user:1', async () => 'newer', { tags: ['user:1'] })).toBe('new'); // from L1
    expect(l2.reads).toBe(reads + 1);
  });

  it('a malformed or foreign message is ignored and reported, never thrown', async () => {
    const { a, b } = fleet();
    await flush();
    await warm(a, 'k', versions());
    const channel = 'cachewise:1:cw';
    for (const text of ['not json', '{"v":2}', '[]', '{"v":1,"from":"x","seq":1,"op":"drop-everything"}']) {
      await b.bus.publish(channel, text);
    }
    await flush();
    expect(a.errors.map((e) => String((e.error as Error).message))).toEqual([
      `tiered: ignored a message on ${channel}: not JSON`,
      `tiered: ignored a message on ${channel}: wire version 2, expected 1`,
      `tiered: ignored a message on ${channel}: not an object`,
      `tiered: ignored a message on ${channel}: unknown operation "drop-everything"`,
    ]);
    expect(await a.cache.wrap('k', versions())).toBe('v1');
  });

  it("emits bus with lagMs: the receiver's clock minus the publisher's `at`, never below 0, only for others' messages that carry it", async () => {
    const { a, b, hub, clock } = fleet();
    await flush();
    const heard = { a: [] as number[], b: [] as number[] };
    a.cache.on('bus', (event) => heard.a.push(event.lagMs));
    b.cache.on('bus', (event) => heard.b.push(event.lagMs));
    await a.cache.invalidateTags(['t']); // a store ignores its own messages; b applies it on the same fake clock
    await flush();
    const other = hub.bus();
    const channel = 'cachewise:1:cw';
    const send = (from: string, at: unknown) =>
      other.publish(channel, JSON.stringify({ v: 1, from, seq: 1, at, op: 'keys', keys: ['cw:k:x'] }));
    await send('behind', clock.now() - 7);
    await send('older-store', undefined); // no `at`: a store that did not send one
    await send('odd', 'yesterday'); // not a number: the message is applied, no lag
    await send('ahead', clock.now() + 50); // a publisher whose clock runs ahead: 0
    await flush();
    expect(heard.a).toEqual([7, 0]);
    expect(heard.b).toEqual([0, 7, 0]);
    expect([...a.errors, ...b.errors]).toEqual([]);
  });

  it('an invalidation the bus could not announce rejects, naming the bus, after reaching L2', async () => {
    const { a, b } = fleet();
    await flush();
    await warm(b, 'user:1', versions(), ['user:1']);
    a.bus.failPublish = true;
    await expect(a.cache.invalidateTags(['user:1'])).rejects.toThrow(
      /reached the shared store, but the local bus could not announce it/,
    );
    expect(await a.cache.wrap('user:1', async () => 'new', { tags: ['user:1'] })).toBe('new'); // L2 was invalidated
  });

  it("'expire' invalidations drop L1 copies; stale serving then reads L2", async () => {
    const { a, b } = fleet({ staleWhileRevalidate: '1m' });
    await flush();
    const load = versions();
    await warm(b, 'user:1', load, ['user:1']);
    await a.cache.invalidateTags(['user:1'], { mode: 'expire' });
    await flush();
    expect(await b.cache.wrap('user:1', load, { tags: ['user:1'] })).toBe('v1'); // stale, refreshing
    await flush();
    expect(await b.cache.wrap('user:1', load, { tags: ['user:1'] })).toBe('v2');
    expect(b.cache.stats()).toMatchObject({ staleRevalidating: 1, staleInvalidated: 1 });
  });
});

describe('tiered: with the circuit breaker', () => {
  it('while the breaker is open, calls skip the whole store, L1 included, and run their methods', async () => {
    const { a, l2 } = fleet();
    await flush();
    const load = versions();
    await a.cache.wrap('k', load);
    await a.cache.wrap('k', load); // a copy in L1
    l2.down = true;
    for (let i = 0; i < 5; i++) await a.cache.wrap(`other${i}`, async () => 'x'); // five failures open it
    expect(a.cache.stats().circuit).toBe('open');
    expect(await a.cache.wrap('k', load)).toBe('v2'); // not v1 from L1: the method ran
  });
});

describe('tiered: options', () => {
  const l2 = () => memoryStore({ serialize: true });
  it.each([
    ['no options', undefined, /tiered: options must be an object/],
    ['an unknown option', { l1: memoryStore(), l2: l2(), bus: false, ttl: '1m' }, /tiered: unknown option 'ttl'/],
    [
      'a byte L1',
      { l1: memoryStore({ serialize: true }), l2: l2(), bus: false },
      /`l1` must be a store that keeps live values/,
    ],
    ['no L2', { l1: memoryStore(), bus: false }, /`l2` must be a Store/],
    ['no bus', { l1: memoryStore(), l2: l2() }, /`bus` must be a Bus.*or false for a single process/],
    [
      'a bad l1Ttl',
      { l1: memoryStore(), l2: l2(), bus: false, l1Ttl: 'soon' },
      /tiered: `l1Ttl` must be a positive duration/,
    ],
    ['a bad channel', { l1: memoryStore(), l2: l2(), bus: false, channel: 'a b' }, /`channel` must be 1-100 letters/],
    [
      'one store twice',
      (() => {
        const s = memoryStore();
        return { l1: s, l2: s, bus: false };
      })(),
      /two different stores/,
    ],
  ])('refuses %s, naming the option', (_what, options, message) => {
    expect(() => tiered(options as never)).toThrow(message);
  });

  it("declares L1's capacity (what a call hits without building its key), and none when L1 declares none", () => {
    expect(tiered({ l1: memoryStore({ maxEntries: 500 }), l2: l2(), bus: false }).capacity).toBe(500);
    const l1 = Object.assign(memoryStore(), { capacity: undefined });
    expect(tiered({ l1, l2: memoryStore({ serialize: true, maxEntries: 500 }), bus: false }).capacity).toBeUndefined();
  });

  it('createCache refuses a serializer next to a tiered store: it belongs to tiered()', () => {
    const store = tiered({ l1: memoryStore(), l2: l2(), bus: false });
    expect(() =>
      createCache({ store, serializer: { name: 'x', encode: () => new Uint8Array(), decode: () => 1 } }),
    ).toThrow(/give `serializer` to tiered\(\{ serializer \}\), not to createCache/);
  });

  it('closes its tiers and its bus with the last cache, and unsubscribes', async () => {
    const hub = localBusHub();
    const bus = hub.bus();
    let closed = 0;
    const l1 = memoryStore();
    const store = tiered({ l1, l2: l2(), bus: Object.assign(bus, { close: () => void closed++ }) });
    const cache = createCache({ store });
    await flush();
    await cache.close();
    expect(closed).toBe(1);
  });
});
