import 'reflect-metadata';
import { CacheConfig, Cached, createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

describe('TTL on a fake clock', () => {
  it('hits before expiry and misses from the expiry on', async () => {
    const clock = testClock();
    const cache = createCache({ store: memoryStore(), clock, jitter: 0, ttl: '1m', setAsDefault: true });
    let calls = 0;
    class Repo {
      @Cached()
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    const repo = new Repo();
    await repo.find(1);
    clock.advance(59_999);
    await repo.find(1);
    expect(calls).toBe(1);
    clock.advance(1);
    await repo.find(1);
    expect(calls).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2 });
  });

  it('a method ttl beats the class ttl, which beats the cache ttl', async () => {
    const clock = testClock();
    createCache({ store: memoryStore(), clock, jitter: 0, ttl: '1h', setAsDefault: true });
    const calls = { own: 0, cls: 0 };
    @CacheConfig({ ttl: '10s' })
    class Repo {
      @Cached({ ttl: '2s' })
      async own(): Promise<number> {
        return ++calls.own;
      }
      @Cached()
      async cls(): Promise<number> {
        return ++calls.cls;
      }
    }
    const repo = new Repo();
    await repo.own();
    await repo.cls();
    clock.advance(2_000);
    await repo.own();
    await repo.cls();
    expect(calls).toEqual({ own: 2, cls: 1 });
    clock.advance(8_000);
    await repo.cls();
    expect(calls.cls).toBe(2);
  });

  it('getEntry reports storedAt and expiresAt on the cache clock', async () => {
    const clock = testClock(1_000_000);
    const cache = createCache({ store: memoryStore(), clock, jitter: 0 });
    await cache.set('k', 'v', { ttl: '30s' });
    expect(await cache.getEntry('k')).toMatchObject({ value: 'v', storedAt: 1_000_000, expiresAt: 1_030_000 });
    clock.advance(30_000);
    expect(await cache.getEntry('k')).toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
  });
});

describe('jitter', () => {
  it.each([
    [0, 1_000],
    [0.25, 950],
    [0.5, 900],
    [0.999_999, 801],
  ])('with random() = %d, a 1s ttl and jitter 0.2, the entry lives %d ms', async (r, lives) => {
    const clock = testClock();
    const cache = createCache({ store: memoryStore(), clock, jitter: 0.2, random: () => r, ttl: 1_000 });
    let calls = 0;
    const load = () => ++calls;
    await cache.wrap('k', load);
    const entry = await cache.getEntry('k');
    expect(entry!.expiresAt - entry!.storedAt).toBe(lives);

    clock.advance(lives - 1);
    await cache.wrap('k', load);
    expect(calls).toBe(1);
    clock.advance(1);
    await cache.wrap('k', load);
    expect(calls).toBe(2);
  });

  it('never goes below ttl * (1 - jitter), over many draws', async () => {
    const clock = testClock();
    let seed = 12345;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const cache = createCache({ store: memoryStore(), clock, jitter: 0.1, random, ttl: '5m' });
    const lifetimes = new Set<number>();
    for (let i = 0; i < 200; i++) {
      await cache.set(`k${i}`, i);
      const entry = await cache.getEntry(`k${i}`);
      const life = entry!.expiresAt - entry!.storedAt;
      expect(life).toBeGreaterThanOrEqual(270_000);
      expect(life).toBeLessThanOrEqual(300_000);
      lifetimes.add(life);
    }
    expect(lifetimes.size).toBeGreaterThan(100); // entries written together do not expire together
  });

  it('jitter 0 gives the exact ttl and never calls random', async () => {
    const clock = testClock();
    let drawn = 0;
    const cache = createCache({ store: memoryStore(), clock, jitter: 0, random: () => (drawn++, 0.5), ttl: 1_000 });
    await cache.set('k', 1);
    const entry = await cache.getEntry('k');
    expect(entry!.expiresAt - entry!.storedAt).toBe(1_000);
    expect(drawn).toBe(0);
  });
});
