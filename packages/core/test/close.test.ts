import 'reflect-metadata';
import {
  type Cache,
  CacheConfig,
  Cached,
  createCache,
  Invalidates,
  type Store,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

/** A memory store that counts its close() calls. */
function countingStore(): { store: Store; closes: () => number } {
  const inner = memoryStore();
  let closes = 0;
  const store = Object.assign(Object.create(inner) as Store, {
    close: () => {
      closes++;
      return inner.close();
    },
  });
  return { store, closes: () => closes };
}

describe('close()', () => {
  for (const [label, invalidate] of [
    ['a tag invalidation', (c: Cache) => c.invalidateTags(['t'])],
    ['a delete', (c: Cache) => c.delete('k')],
    ['clear()', (c: Cache) => c.clear()],
  ] as const) {
    it(`closing one cache does not reset a store another still uses: ${label} during a load holds (versions never go back)`, async () => {
      const store = memoryStore();
      const a = createCache({ store, namespace: 'a', jitter: 0 });
      const b = createCache({ store, namespace: 'b', jitter: 0 });
      await b.set('b-entry', 'kept');
      const gate = deferred<string>();
      const started = deferred<void>();
      const slow = a.wrap('k', () => (started.resolve(), gate.promise), { tags: ['t'] });
      await started.promise;
      await invalidate(a);
      await b.close();
      gate.resolve('OLD');
      expect(await slow).toBe('OLD');
      expect(await a.get('k')).toBeUndefined();
      expect(await a.wrap('k', async () => 'NEW', { tags: ['t'] })).toBe('NEW');
      // The store was not reset: a's entries and b's bytes are still there.
      expect(await a.get('k')).toBe('NEW');
    });
  }

  it('closes the store with the last cache that uses it, once', async () => {
    const { store, closes } = countingStore();
    const a = createCache({ store, namespace: 'a' });
    const b = createCache({ store, namespace: 'b' });
    await a.close();
    expect(closes()).toBe(0);
    await a.close(); // twice is harmless and does not count twice
    expect(closes()).toBe(0);
    await b.close();
    expect(closes()).toBe(1);
  });

  it('after close, decorated calls run their methods uncached, however the cache is found', async () => {
    const closedDefault = createCache({ store: memoryStore() });
    const named = createCache({ store: memoryStore(), namespace: 'named', setAsDefault: false });
    let calls = 0;
    @CacheConfig({ cache: named })
    class ByClass {
      @Cached() async get(id: number) {
        return `${id}:${++calls}`;
      }
    }
    class ByDefault {
      @Cached() async get(id: number) {
        return `${id}:${++calls}`;
      }
      @Invalidates({ tags: ['x'] }) async write() {
        return 'written';
      }
    }
    class ByOption {
      @Cached({ cache: named }) async get(id: number) {
        return `${id}:${++calls}`;
      }
    }
    class ByInstance {
      constructor(readonly cache: Cache) {}
      @Cached({ cache: (self: ByInstance) => self.cache }) async get(id: number) {
        return `${id}:${++calls}`;
      }
    }
    await closedDefault.close();
    await named.close();
    const subjects = [new ByClass(), new ByDefault(), new ByOption(), new ByInstance(named)];
    for (const subject of subjects) {
      const first = await subject.get(1);
      expect(await subject.get(1)).not.toBe(first); // ran again: nothing cached
    }
    expect(await new ByDefault().write()).toBe('written');
  });

  it('after close, the direct API skips the store: get misses, writes and invalidations resolve', async () => {
    const cache = createCache({ store: memoryStore() });
    await cache.set('k', 1);
    await cache.close();
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getEntry('k')).toBeUndefined();
    await expect(cache.set('k', 2)).resolves.toBeUndefined();
    await expect(cache.delete('k')).resolves.toBeUndefined();
    await expect(cache.invalidateTags(['t'])).resolves.toBeUndefined();
    await expect(cache.clear()).resolves.toBeUndefined();
    expect(await cache.wrap('k', async () => 3)).toBe(3);
  });
});
