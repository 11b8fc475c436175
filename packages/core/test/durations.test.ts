import 'reflect-metadata';
import {
  CacheConfig,
  Cached,
  CacheError,
  CacheOptionsError,
  cached,
  createCache,
  isCacheOptionsError,
  parseDuration,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { testClock } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

const BAD: Array<[string, unknown]> = [
  ['an English phrase', '5 minutes'],
  ['a negative number', -1],
  ['zero', 0],
  ['NaN', Number.NaN],
  ['Infinity', Infinity],
  ['an object', {}],
  ['an empty string', ''],
  ['a unit alone', 'm'],
  ['an unknown unit', '5w'],
  ['a negative string', '-5s'],
  ['a space inside', '5 m'],
  ['spaces around', ' 10s '],
  ['a decimal', '1.5s'],
  ['an exponent', '1e3ms'],
  ['a plus sign', '+5m'],
  ['a leading zero', '05s'],
  ['a numeric separator', '1_000ms'],
  ['an upper-case unit', '5M'],
  ['more than 100 years', '36501d'],
];

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseDuration', () => {
  it.each([
    [250, 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['90m', 5_400_000],
    ['0x10s', 16_000],
    [1.5, 2],
  ])('reads %j as %d ms', (input, ms) => {
    expect(parseDuration(input, 'ttl')).toBe(ms);
  });

  it.each(BAD)('refuses %s with a TypeError naming the option', (_what, value) => {
    const error = thrown(() => parseDuration(value, 'myOption'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect(error).toBeInstanceOf(CacheError);
    expect(isCacheOptionsError(error)).toBe(true);
    expect((error as CacheOptionsError).code).toBe('ERR_CACHE_OPTIONS');
    expect((error as Error).message).toContain('myOption');
  });

  it('accepts zero only when asked to', () => {
    expect(parseDuration(0, 'grace', { allowZero: true })).toBe(0);
    expect(() => parseDuration(0, 'grace')).toThrow(/grace/);
  });
});

describe('durations at creation time', () => {
  it.each(BAD)('createCache refuses a ttl that is %s', (_what, ttl) => {
    const error = thrown(() => createCache({ store: memoryStore(), ttl: ttl as never }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(CacheError);
    expect((error as Error).message).toMatch(/createCache: `ttl`/);
  });

  it('createCache takes every unit', async () => {
    const clock = testClock();
    for (const [ttl, ms] of [
      ['250ms', 250],
      ['30s', 30_000],
      ['5m', 300_000],
      ['2h', 7_200_000],
      ['1d', 86_400_000],
      [42, 42],
    ] as const) {
      const cache = createCache({ store: memoryStore(), ttl, jitter: 0, clock });
      await cache.set('k', 1);
      const entry = await cache.getEntry('k');
      expect(entry!.expiresAt - entry!.storedAt).toBe(ms);
    }
  });

  it('wrap and set refuse a bad ttl, naming the option', async () => {
    const cache = createCache({ store: memoryStore() });
    await expect(cache.wrap('k', () => 1, { ttl: 'soon' as never })).rejects.toThrow(/wrap: `ttl`/);
    await expect(cache.set('k', 1, { ttl: -5 })).rejects.toThrow(/set: `ttl`/);
  });
});

describe('durations at decoration time', () => {
  it.each(BAD)('@Cached refuses a ttl that is %s when the class is defined', (_what, ttl) => {
    let defined = false;
    const error = thrown(() => {
      class Repo {
        @Cached({ ttl: ttl as never })
        async find(id: number): Promise<number> {
          return id;
        }
      }
      defined = Repo !== undefined;
    });
    expect(defined).toBe(false);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(CacheError);
    expect((error as Error).message).toContain('@Cached: `ttl`');
  });

  it("@Cached({ ttl: 'soon' }) throws before any cache exists, not at the first call", () => {
    setDefaultCache(undefined);
    expect(() => {
      class Repo {
        @Cached({ ttl: 'soon' as never })
        async find(id: number): Promise<number> {
          return id;
        }
      }
      return Repo;
    }).toThrow(/@Cached: `ttl`.*"soon"/);
  });

  it('@Cached accepts a duration as its only argument', async () => {
    const clock = testClock();
    const cache = createCache({ store: memoryStore(), clock, jitter: 0, setAsDefault: true });
    let calls = 0;
    class Repo {
      @Cached('2s')
      async find(id: number): Promise<number> {
        calls++;
        return id;
      }
    }
    const repo = new Repo();
    await repo.find(1);
    clock.advance(1_999);
    await repo.find(1);
    expect(calls).toBe(1);
    clock.advance(1);
    await repo.find(1);
    expect(calls).toBe(2);
    expect(cache.stats().byMethod['Repo.find']?.loads).toBe(2);
    expect(() => Cached('2 seconds' as never)).toThrow(/@Cached: `ttl`/);
  });

  it('@CacheConfig and cached() refuse bad durations up front', () => {
    expect(() => CacheConfig({ ttl: '5 minutes' as never })).toThrow(/@CacheConfig: `ttl`/);
    expect(() => cached(async () => 1, { name: 'f', ttl: 0 })).toThrow(/cached: `ttl`/);
    expect(thrown(() => CacheConfig({ ttl: {} as never }))).toBeInstanceOf(TypeError);
  });
});

describe('parsed duration strings are remembered', () => {
  it('answers the same for a string seen before, and still refuses 0 where it is not allowed', () => {
    expect(parseDuration('7m', 'ttl')).toBe(420_000);
    expect(parseDuration('7m', 'ttl')).toBe(420_000);
    expect(parseDuration('0s', 'window', { allowZero: true })).toBe(0);
    expect(() => parseDuration('0s', 'ttl')).toThrow(/ttl must be a positive duration/);
    expect(() => parseDuration('7 m', 'ttl')).toThrow(/ttl must be a positive duration/);
    expect(() => parseDuration('7 m', 'ttl')).toThrow(/ttl must be a positive duration/);
  });
});
