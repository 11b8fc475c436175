import 'reflect-metadata';
import {
  type Cache,
  Cached,
  type CacheEventMap,
  type CacheEventName,
  createCache,
  methodKey,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => setDefaultCache(undefined));

const SECRET = 'p4ssw0rd-value-never-in-events';

function record(cache: Cache): Array<[CacheEventName, unknown]> {
  const seen: Array<[CacheEventName, unknown]> = [];
  for (const name of ['hit', 'miss', 'set', 'invalidate', 'error'] as const) {
    cache.on(name, (event: CacheEventMap[typeof name]) => seen.push([name, event]));
  }
  return seen;
}

describe('events', () => {
  it('miss, set and hit carry the storage key and label', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev', jitter: 0, ttl: '1m', setAsDefault: true });
    const seen = record(cache);
    class Users {
      @Cached()
      async find(id: number): Promise<string> {
        return `${SECRET}:${id}`;
      }
    }
    await new Users().find(1);
    await new Users().find(1);
    expect(seen).toEqual([
      ['miss', { key: 'ev:m:Users.find:n1', label: 'Users.find' }],
      ['set', { key: 'ev:m:Users.find:n1', label: 'Users.find', ttlMs: 60_000 }],
      ['hit', { key: 'ev:m:Users.find:n1', label: 'Users.find' }],
    ]);
  });

  it('invalidate carries tag ids and keys', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev', setAsDefault: true });
    class Users {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const seen = record(cache);
    await cache.invalidateTags(['user:1', 'team:2'], { mode: 'expire' });
    await cache.delete('a', methodKey(Users, 'find', 7));
    await cache.clear();
    expect(seen).toEqual([
      ['invalidate', { tags: ['ev#user:1', 'ev#team:2'], keys: [], mode: 'expire' }],
      ['invalidate', { tags: [], keys: ['ev:k:a', 'ev:m:Users.find:n7'], mode: 'delete' }],
      ['invalidate', { tags: ['ev#'], keys: [], mode: 'delete' }],
    ]);
  });

  it('error events of kind load carry the key and the error', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev' });
    const seen = record(cache);
    const failure = new Error('db down');
    await cache.wrap('k', () => Promise.reject(failure)).catch(() => {});
    expect(seen).toEqual([
      ['miss', { key: 'ev:k:k', label: '#wrap' }],
      ['error', { kind: 'load', key: 'ev:k:k', label: '#wrap', error: failure }],
    ]);
  });

  it('never carry values', async () => {
    const cache = createCache({ store: memoryStore({ serialize: true }), namespace: 'ev' });
    const seen = record(cache);
    await cache.wrap('k', () => ({ secret: SECRET }));
    await cache.wrap('k', () => ({ secret: SECRET }));
    await cache.wrap('bad', () => ({ secret: SECRET, f: () => SECRET }));
    await cache.invalidateTags(['t']);
    expect(seen.map(([name]) => name)).toEqual(['miss', 'set', 'hit', 'miss', 'error', 'invalidate']);
    for (const [, event] of seen) {
      const { error, ...rest } = event as { error?: Error };
      expect(JSON.stringify(rest)).not.toContain(SECRET);
      if (error !== undefined) expect(error.message).not.toContain(SECRET);
    }
  });

  it('a listener that throws does not break the call, nor the other listeners', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev' });
    const after: string[] = [];
    for (const name of ['miss', 'set', 'hit', 'error', 'invalidate'] as const) {
      cache.on(name, () => {
        throw new Error(`listener of ${name} broke`);
      });
      cache.on(name, () => void after.push(name));
    }
    expect(await cache.wrap('k', () => 1)).toBe(1);
    expect(await cache.wrap('k', () => 2)).toBe(1);
    await expect(cache.wrap('e', () => Promise.reject(new Error('own')))).rejects.toThrow('own');
    await cache.invalidateTags(['t']);
    expect(after).toEqual(['miss', 'set', 'hit', 'miss', 'error', 'invalidate']);
  });

  it('unsubscribe stops one listener only', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev' });
    const a: string[] = [];
    const b: string[] = [];
    const offA = cache.on('miss', (e) => void a.push(e.key));
    cache.on('miss', (e) => void b.push(e.key));
    await cache.get('one');
    offA();
    offA(); // a second call is harmless
    await cache.get('two');
    expect(a).toEqual(['ev:k:one']);
    expect(b).toEqual(['ev:k:one', 'ev:k:two']);
  });

  it('the same listener added twice is called twice and removed one at a time', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev' });
    let calls = 0;
    const listener = () => void calls++;
    const off1 = cache.on('miss', listener);
    cache.on('miss', listener);
    await cache.get('x');
    expect(calls).toBe(2);
    off1();
    await cache.get('x');
    expect(calls).toBe(3);
  });

  it('no set event for a write the store refused (a load that lost the race with a delete)', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev' });
    const sets: string[] = [];
    cache.on('set', (e) => void sets.push(e.key));
    let release!: (value: number) => void;
    const inFlight = cache.wrap('k', () => new Promise<number>((resolve) => (release = resolve)));
    await cache.delete('k');
    release(1);
    await inFlight;
    expect(await cache.getEntry('k')).toBeUndefined();
    expect(sets).toEqual([]);
    await cache.wrap('k', () => 2);
    expect(sets).toEqual(['ev:k:k']);
  });

  it('a closed cache emits nothing more', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'ev' });
    const seen = record(cache);
    await cache.close();
    expect(await cache.wrap('k', () => 1)).toBe(1);
    expect(seen).toEqual([]);
  });
});
