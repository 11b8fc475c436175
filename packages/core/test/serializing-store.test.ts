// The serializer as the cache uses it: memoryStore({ serialize: true }) keeps bytes, so
// every write is encoded and every read decoded, and bad bytes must read as a miss.
import 'reflect-metadata';
import {
  Cached,
  type CacheEventMap,
  createCache,
  DecodeError,
  jsonSerializer,
  SerializationError,
  type Serializer,
  setDefaultCache,
} from '@cachewise/core';
import { type CacheRecord } from '@cachewise/core/store';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
// Internal: the record codec is not public API.
import { decodeRecord, encodeRecord } from '../src/record.js';
import { testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

function setup(options: { maxPayloadBytes?: number } = {}) {
  const store = memoryStore({ serialize: true });
  const clock = testClock();
  const cache = createCache({ store, clock, namespace: 'ser', jitter: 0, ...options });
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('error', (e) => errors.push(e));
  return { store, cache, clock, errors };
}

const limits = { maxPayloadBytes: 1 << 20 };

describe('round trips through memoryStore({ serialize: true })', () => {
  it('keeps special values and types', async () => {
    const { cache } = setup();
    const value = {
      when: new Date(3),
      big: 2n ** 70n,
      map: new Map([['a', new Set([1, undefined])]]),
      nums: [Number.NaN, -0, Infinity, -Infinity],
      bytes: new Float64Array([1.25]),
      buf: Buffer.from('x'),
      '\u0000': 'mark',
    };
    await cache.set('k', value);
    const back = await cache.get<typeof value>('k');
    expect(back).toStrictEqual(value);
    expect(back).not.toBe(value);
  });

  it('a hit returns a fresh copy each time', async () => {
    const { cache } = setup();
    const original = { list: [1] };
    let calls = 0;
    const load = () => (calls++, original);
    const first = await cache.wrap('k', load);
    const second = await cache.wrap('k', load);
    const third = await cache.wrap('k', load);
    expect(calls).toBe(1);
    expect(second).toEqual(original);
    expect(second).not.toBe(original);
    expect(second).not.toBe(third);
    second.list.push(2);
    expect((await cache.get<typeof original>('k'))!.list).toEqual([1]);
    expect(first).toBe(original); // the loader's own caller gets the loader's object
  });
});

describe('values JSON would change, through the cache', () => {
  it('holes, extra array properties and null prototypes come back exactly', async () => {
    const { cache } = setup();
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    await cache.set('k', { list: Object.assign([1, , 3], { total: 2 }), bare });
    const back = (await cache.get<{ list: number[] & { total: number }; bare: Record<string, unknown> }>('k'))!;
    expect(1 in back.list).toBe(false);
    expect(back.list.total).toBe(2);
    expect(Object.getPrototypeOf(back.bare)).toBeNull();
  });

  it('an Array subclass is refused, and cache.set rejects with its class and path', async () => {
    class Page<T> extends Array<T> {}
    const { cache } = setup();
    await expect(cache.set('k', { page: Page.from([1]) })).rejects.toMatchObject({
      name: 'SerializationError',
      className: 'Page',
      path: '$.page',
    });
    expect(await cache.getEntry('k')).toBeUndefined();
  });
});

describe('values that cannot be serialized', () => {
  class User {
    constructor(readonly id: number) {}
  }

  it.each([
    ['a class instance', new User(1)],
    ['a function inside an object', { onClick: () => 1 }],
  ])(
    '%s: the caller gets the value, it is not cached, and a serialize error is emitted',
    async (_what, unserializable) => {
      const { cache, errors } = setup();
      let calls = 0;
      const load = () => (calls++, unserializable);
      const value = await cache.wrap('k', load);
      expect(value).toBe(unserializable);
      await cache.wrap('k', load);
      expect(calls).toBe(2);
      expect(await cache.getEntry('k')).toBeUndefined();
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatchObject({ kind: 'serialize', key: 'ser:k:k', label: '#wrap' });
      expect(errors[0]!.error).toBeInstanceOf(SerializationError);
      expect(cache.stats()).toMatchObject({ storeErrors: 0, loadErrors: 0, loads: 2 });
    },
  );

  it('also for a @Cached method, whose caller gets its own result', async () => {
    const { cache, errors } = setup();
    setDefaultCache(cache);
    let calls = 0;
    class Repo {
      @Cached()
      async find(id: number): Promise<User> {
        calls++;
        return new User(id);
      }
    }
    const user = await new Repo().find(4);
    expect(user).toBeInstanceOf(User);
    await new Repo().find(4);
    expect(calls).toBe(2);
    expect(errors.map((e) => e.kind)).toEqual(['serialize', 'serialize']);
  });

  it('cache.set throws the SerializationError instead', async () => {
    const { cache } = setup();
    await expect(cache.set('k', new User(1))).rejects.toBeInstanceOf(SerializationError);
  });
});

describe('payload size', () => {
  it('a value over maxPayloadBytes is returned but not cached', async () => {
    const { cache, errors } = setup({ maxPayloadBytes: 256 });
    let calls = 0;
    const big = () => (calls++, 'x'.repeat(1_000));
    expect(await cache.wrap('big', big)).toHaveLength(1_000);
    await cache.wrap('big', big);
    expect(calls).toBe(2);
    expect(errors[0]).toMatchObject({ kind: 'serialize' });
    expect(String((errors[0]!.error as Error).message)).toMatch(/maxPayloadBytes/);

    let small = 0;
    await cache.wrap('small', () => ++small);
    await cache.wrap('small', () => ++small);
    expect(small).toBe(1);
  });

  it('a stored payload over maxPayloadBytes reads as a miss plus a decode event', async () => {
    const { store, cache, errors } = setup({ maxPayloadBytes: 256 });
    const record: CacheRecord = {
      value: 'y'.repeat(500),
      storedAt: 0,
      expiresAt: Number.MAX_SAFE_INTEGER,
      tags: ['ser#'],
      versions: [0],
      delta: 0,
    };
    store.write('ser:k:k', encodeRecord(record, jsonSerializer, limits), { ttlMs: 60_000, generation: undefined });
    expect(await cache.get('k')).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'decode', key: 'ser:k:k' });
    expect(errors[0]!.error).toBeInstanceOf(DecodeError);
  });
});

describe('hostile payloads read from the store', () => {
  const envelope = (body: string, meta = '[0,9007199254740991,["ser#"],[0]]', magic = 'cw1') =>
    Buffer.from(`${magic}\n${meta}\n${body}`, 'utf8');

  it.each([['j{"__proto__": {"polluted": true}}'], ['t{"__proto__": {"polluted": true}, "u": {"\\u0000": "U"}}']])(
    '%s does not pollute Object.prototype',
    async (body) => {
      const { store, cache, errors } = setup();
      store.write('ser:k:k', envelope(body), { ttlMs: 60_000, generation: undefined });
      const value = await cache.get<Record<string, unknown>>('k');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
      expect((value as { polluted?: unknown }).polluted).toBeUndefined();
      expect(errors).toHaveLength(0);
    },
  );

  it.each([
    ['an unknown envelope version', envelope('j1', undefined, 'cw9')],
    ['garbage bytes', Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0a, 0x0a])],
    ['an empty payload', Buffer.alloc(0)],
    ['a truncated envelope', Buffer.from('cw1\n[0,1')],
    ['metadata that is not JSON', envelope('j1', '{nope')],
    ['metadata of the wrong shape', envelope('j1', '[0,1,["ser#"],[]]')],
    ['a body of the wrong format', envelope('z1')],
    ['an empty body', envelope('')],
    ['an unknown tagged value', envelope('t{"\\u0000": "X"}')],
  ])('%s reads as a miss plus a decode event, never a throw', async (_what, bytes) => {
    const { store, cache, errors } = setup();
    store.write('ser:k:k', new Uint8Array(bytes), { ttlMs: 60_000, generation: undefined });
    expect(await cache.get('k')).toBeUndefined();
    let calls = 0;
    expect(await cache.wrap('k', () => (calls++, 'fresh'))).toBe('fresh');
    expect(calls).toBe(1);
    expect(await cache.get('k')).toBe('fresh'); // the good value replaced the bad bytes
    expect(errors.length).toBeGreaterThanOrEqual(1);
    for (const event of errors) {
      expect(event).toMatchObject({ kind: 'decode', key: 'ser:k:k' });
      expect(event.error).toBeInstanceOf(DecodeError);
    }
  });
});

describe('encodeRecord / decodeRecord', () => {
  it('round-trip an envelope, with the load time (delta) early refresh needs', () => {
    const record: CacheRecord = {
      value: new Map([[1, 2]]),
      storedAt: 5,
      expiresAt: 10,
      tags: ['a#', 'a#t'],
      versions: [1, 2],
      delta: 37.5,
    };
    expect(decodeRecord(encodeRecord(record, jsonSerializer, limits), jsonSerializer, limits)).toStrictEqual(record);
    const raw: Serializer = {
      name: 'raw',
      encode: (value) => Buffer.from(String(value)),
      decode: (bytes) => Buffer.from(bytes).toString(),
    };
    const plain: CacheRecord = { ...record, value: 'v' };
    expect(decodeRecord(encodeRecord(plain, raw, limits), raw, limits)).toStrictEqual(plain);
  });

  it("reads 0.1's envelopes (no delta) as loaded in 0 ms, so a rolling upgrade keeps its entries", () => {
    const json = Buffer.from('[2,5,10,["a#"],[1],0,"v"]');
    expect(decodeRecord(json, jsonSerializer, limits)).toStrictEqual({
      value: 'v',
      storedAt: 5,
      expiresAt: 10,
      tags: ['a#'],
      versions: [1],
      delta: 0,
    });
    const raw: Serializer = {
      name: 'raw',
      encode: () => Buffer.alloc(0),
      decode: (bytes) => Buffer.from(bytes).toString(),
    };
    expect(decodeRecord(Buffer.from('cw1\n[5,10,["a#"],[1]]\nv'), raw, limits)).toMatchObject({ value: 'v', delta: 0 });
  });

  it.each([
    ['a negative delta', '[3,5,10,["a#"],[1],0,"v",-1]'],
    ['a delta that is not a number', '[3,5,10,["a#"],[1],0,"v","1"]'],
    ['a v3 envelope without its delta', '[3,5,10,["a#"],[1],0,"v"]'],
    ['a v2 envelope with a delta', '[2,5,10,["a#"],[1],0,"v",1]'],
  ])('%s is a DecodeError', (_what, text) => {
    expect(() => decodeRecord(Buffer.from(text), jsonSerializer, limits)).toThrow(DecodeError);
  });

  it('decodeRecord throws only DecodeError, whatever the bytes', () => {
    const bad = [
      Buffer.from('cw1\n[0,1,[],[]]\n'),
      Buffer.from('cw1\n[0,1,[],[]]\nt{"\\u0000":"A","c":"Int32Array","v":"AQID"}'),
    ];
    for (const bytes of bad) expect(() => decodeRecord(bytes, jsonSerializer, limits)).toThrow(DecodeError);
  });
});
