// Every fault-handling option is checked at creation (or decoration) time, with a
// CacheOptionsError that names the option and what would be valid.
import 'reflect-metadata';
import { CacheOptionsError, createCache, Invalidates, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => setDefaultCache(undefined));

const create = (options: Record<string, unknown>) => () => createCache({ store: memoryStore(), ...options });

describe('storeTimeout', () => {
  it.each([0, -1, Number.NaN, '1.5s', 'soon', true])('refuses %s', (value) => {
    expect(create({ storeTimeout: value })).toThrow(CacheOptionsError);
    expect(create({ storeTimeout: value })).toThrow(
      /createCache: `storeTimeout` must be a positive duration: a number of milliseconds or a whole number with a unit/,
    );
  });

  it('refuses more than an hour', () => {
    expect(create({ storeTimeout: '2h' })).toThrow("createCache: `storeTimeout` must be at most '1h'");
  });

  it('takes a number of milliseconds or a duration string', () => {
    expect(createCache({ store: memoryStore(), storeTimeout: 50 }).options.storeTimeoutMs).toBe(50);
    expect(createCache({ store: memoryStore(), storeTimeout: '250ms' }).options.storeTimeoutMs).toBe(250);
  });
});

describe('circuitBreaker', () => {
  it.each([true, 5, 'on', null, []])('refuses %s', (value) => {
    expect(create({ circuitBreaker: value })).toThrow(
      "createCache: `circuitBreaker` must be false or an object like { failures: 5, cooldown: '5s' }",
    );
  });

  it.each([0, -1, 1.5, '5', Number.POSITIVE_INFINITY])('refuses failures: %s', (failures) => {
    expect(create({ circuitBreaker: { failures } })).toThrow(
      /createCache: `circuitBreaker.failures` must be a whole number of at least 1, e.g. 5; got/,
    );
  });

  it.each([0, 'x', -5])('refuses cooldown: %s', (cooldown) => {
    expect(create({ circuitBreaker: { cooldown } })).toThrow(
      /createCache: `circuitBreaker.cooldown` must be a positive duration/,
    );
  });

  it('refuses a cooldown over an hour and unknown keys', () => {
    expect(create({ circuitBreaker: { cooldown: '2h' } })).toThrow(
      "createCache: `circuitBreaker.cooldown` must be at most '1h'",
    );
    expect(create({ circuitBreaker: { threshold: 3 } })).toThrow(
      "createCache: `circuitBreaker`: unknown option 'threshold'. Known options: failures, cooldown",
    );
  });

  it('takes false, a partial object (defaults for the rest), or both settings', () => {
    expect(createCache({ store: memoryStore(), circuitBreaker: false }).options.breaker).toBeUndefined();
    expect(createCache({ store: memoryStore(), circuitBreaker: { failures: 2 } }).options.breaker).toEqual({
      failures: 2,
      cooldownMs: 5_000,
    });
    expect(
      createCache({ store: memoryStore(), circuitBreaker: { failures: 1, cooldown: '1m' } }).options.breaker,
    ).toEqual({ failures: 1, cooldownMs: 60_000 });
  });
});

describe('whenUnreachable', () => {
  const cache = () => createCache({ store: memoryStore(), namespace: 'w' });
  const message = /`whenUnreachable` must be 'reject' or 'queue'; got "later"/;

  it('invalidateTags, delete and clear refuse a bad value, naming the call', async () => {
    const c = cache();
    const bad = { whenUnreachable: 'later' } as never;
    await expect(c.invalidateTags(['t'], bad)).rejects.toThrow(/^invalidateTags: /);
    await expect(c.invalidateTags(['t'], bad)).rejects.toThrow(message);
    await expect(c.delete('k', bad)).rejects.toThrow(/^delete: `whenUnreachable`/);
    await expect(c.clear(bad)).rejects.toThrow(/^clear: `whenUnreachable`/);
    await expect(c.clear(bad)).rejects.toBeInstanceOf(CacheOptionsError);
  });

  it('delete and clear refuse unknown options', async () => {
    const c = cache();
    await expect(c.delete('k', { mode: 'expire' } as never)).rejects.toThrow(
      "delete: unknown option 'mode'. Known options: whenUnreachable",
    );
    await expect(c.clear({ x: 1 } as never)).rejects.toThrow("clear: unknown option 'x'");
  });

  it('@Invalidates refuses a bad value at decoration time', () => {
    expect(() => Invalidates({ tags: ['t'], whenUnreachable: 'later' as never })).toThrow(
      /@Invalidates: `whenUnreachable` must be 'reject' or 'queue'; got "later"/,
    );
  });
});
