import 'reflect-metadata';
import { Cached, createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => setDefaultCache(undefined));

describe('turning caching off', () => {
  it('enabled: false runs every call, reads miss, and stats still count', async () => {
    const cache = createCache({ store: memoryStore(), enabled: false, setAsDefault: true });
    let queries = 0;
    class Users {
      @Cached() async find(id: number) {
        return `${id}:${++queries}`;
      }
    }
    const users = new Users();
    expect(await Promise.all([users.find(1), users.find(1)])).toEqual(['1:1', '1:2']); // no single flight either
    expect(await users.find(1)).toBe('1:3');
    expect(await cache.wrap('k', async () => 'v')).toBe('v');
    await cache.set('k', 'stored');
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.enabled).toBe(false);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 5, loads: 4, coalesced: 0 });
    expect(cache.stats().byMethod['Users.find']).toMatchObject({ misses: 3, loads: 3 });
  });

  it('setEnabled(false) during an incident; invalidations still reach the store, so re-enabling serves nothing stale', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: true });
    await cache.set('price', 10, { tags: ['p'] });
    expect(await cache.get('price')).toBe(10);
    cache.setEnabled(false);
    await cache.invalidateTags(['p']);
    await cache.set('other', 1);
    cache.setEnabled(true);
    expect(await cache.get('price')).toBeUndefined();
    expect(await cache.get('other')).toBe(1);
    expect(await cache.wrap('price', async () => 11, { tags: ['p'] })).toBe(11);
  });

  it('refuses a non-boolean, naming the option', () => {
    expect(() => createCache({ store: memoryStore(), enabled: 'no' as never })).toThrow(
      /`enabled` must be true or false; got "no"/,
    );
    const cache = createCache({ store: memoryStore() });
    expect(() => cache.setEnabled(0 as never)).toThrow(/setEnabled: expected true or false; got 0/);
  });

  it('load errors still count and reach the caller while off', async () => {
    const cache = createCache({ store: memoryStore(), enabled: false });
    const boom = new Error('boom');
    await expect(cache.wrap('k', async () => Promise.reject(boom))).rejects.toBe(boom);
    expect(cache.stats()).toMatchObject({ misses: 1, loads: 1, loadErrors: 1 });
  });
});
