import 'reflect-metadata';
import { type Cache, CacheConfig, Cached, CacheOptionsError, createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let cache: Cache;
beforeEach(() => {
  cache = createCache({ store: memoryStore(), namespace: 'tags', setAsDefault: true });
});
afterEach(() => setDefaultCache(undefined));

async function fresh(c: Cache, ...keys: string[]): Promise<Record<string, boolean>> {
  const out: Record<string, boolean> = {};
  for (const key of keys) out[key] = (await c.getEntry(key)) !== undefined;
  return out;
}

describe('invalidateTags', () => {
  it('removes only the entries carrying the tag', async () => {
    await cache.set('a', 1, { tags: ['user:1'] });
    await cache.set('b', 2, { tags: ['user:1', 'team:9'] });
    await cache.set('c', 3, { tags: ['user:2'] });
    await cache.set('d', 4);
    await cache.invalidateTags(['user:1']);
    expect(await fresh(cache, 'a', 'b', 'c', 'd')).toEqual({ a: false, b: false, c: true, d: true });
  });

  it('removes entries carrying any of several tags', async () => {
    await cache.set('a', 1, { tags: ['x'] });
    await cache.set('b', 2, { tags: ['y'] });
    await cache.set('c', 3, { tags: ['z'] });
    await cache.invalidateTags(['x', 'y']);
    expect(await fresh(cache, 'a', 'b', 'c')).toEqual({ a: false, b: false, c: true });
  });

  it('entries written after the invalidation are fresh again', async () => {
    await cache.set('a', 1, { tags: ['t'] });
    await cache.invalidateTags(['t']);
    await cache.set('a', 2, { tags: ['t'] });
    expect(await cache.get('a')).toBe(2);
  });

  it('works on tags derived from the arguments of a cached method', async () => {
    let calls = 0;
    class Repo {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    const repo = new Repo();
    await repo.find(1);
    await repo.find(2);
    await cache.invalidateTags(['user:2']);
    await repo.find(1);
    await repo.find(2);
    expect(calls).toBe(3);
  });

  it('is reported in getEntry without the namespace', async () => {
    await cache.set('a', 1, { tags: ['user:1', 'team:2'] });
    expect((await cache.getEntry('a'))!.tags).toEqual(['user:1', 'team:2']);
  });

  it('refuses bad tags and modes', async () => {
    await expect(cache.invalidateTags(['ok', ''])).rejects.toBeInstanceOf(CacheOptionsError);
    await expect(cache.invalidateTags('user:1' as never)).rejects.toThrow(/invalidateTags: `tags`/);
    await expect(cache.invalidateTags(['t'], { mode: 'soft' as never })).rejects.toThrow(/`mode`/);
    await expect(cache.set('k', 1, { tags: [1 as never] })).rejects.toThrow(/set: `tags`/);
  });

  it('an empty list is a no-op', async () => {
    await cache.set('a', 1, { tags: ['t'] });
    await cache.invalidateTags([]);
    expect(await cache.get('a')).toBe(1);
  });
});

describe('class-level tags', () => {
  it('@CacheConfig tags apply to every cached method, with the method tags', async () => {
    const calls = { find: 0, list: 0 };
    @CacheConfig({ tags: ['users'] })
    class Users {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<number> {
        calls.find++;
        return id;
      }
      @Cached({ tags: ['lists'] })
      async list(): Promise<number[]> {
        calls.list++;
        return [1];
      }
    }
    const users = new Users();
    await users.find(1);
    await users.list();
    await cache.invalidateTags(['user:1']);
    await users.find(1);
    await users.list();
    expect(calls).toEqual({ find: 2, list: 1 });

    await cache.invalidateTags(['users']);
    await users.find(1);
    await users.list();
    expect(calls).toEqual({ find: 3, list: 2 });
  });
});

describe('clear', () => {
  it('drops only its own namespace on a shared store', async () => {
    const store = memoryStore();
    const shop = createCache({ store, namespace: 'shop' });
    const blog = createCache({ store, namespace: 'blog' });
    await shop.set('k', 'shop');
    await blog.set('k', 'blog');
    await shop.set('t', 'shop', { tags: ['x'] });
    await blog.set('t', 'blog', { tags: ['x'] });

    await shop.clear();
    expect(await shop.get('k')).toBeUndefined();
    expect(await shop.get('t')).toBeUndefined();
    expect(await blog.get('k')).toBe('blog');
    expect(await blog.get('t')).toBe('blog');

    await shop.set('k', 'again');
    expect(await shop.get('k')).toBe('again');
  });

  it("tags of one namespace are not another's", async () => {
    const store = memoryStore();
    const shop = createCache({ store, namespace: 'shop' });
    const blog = createCache({ store, namespace: 'blog' });
    await shop.set('k', 1, { tags: ['t'] });
    await blog.set('k', 2, { tags: ['t'] });
    await blog.invalidateTags(['t']);
    expect(await shop.get('k')).toBe(1);
    expect(await blog.get('k')).toBeUndefined();
  });

  it('drops cached method entries too', async () => {
    let calls = 0;
    class Repo {
      @Cached()
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    await new Repo().find(1);
    await cache.clear();
    await new Repo().find(1);
    expect(calls).toBe(2);
  });
});

describe("mode: 'expire'", () => {
  it('makes entries not fresh', async () => {
    await cache.set('a', 1, { tags: ['t'] });
    await cache.set('b', 2, { tags: ['u'] });
    await cache.invalidateTags(['t'], { mode: 'expire' });
    expect(await fresh(cache, 'a', 'b')).toEqual({ a: false, b: true });
    let calls = 0;
    expect(await cache.wrap('a', () => ++calls, { tags: ['t'] })).toBe(1);
    expect(calls).toBe(1);
  });

  it('is what the invalidate event reports', async () => {
    const seen: string[] = [];
    cache.on('invalidate', (e) => seen.push(`${e.mode}:${e.tags.join(',')}`));
    await cache.invalidateTags(['t'], { mode: 'expire' });
    await cache.invalidateTags(['t']);
    expect(seen).toEqual(['expire:tags#t', 'delete:tags#t']);
  });
});
