import { createCache, systemClock } from '@cachewise/core';
import { fakeClock } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { describe, expect, it } from 'vitest';

describe('cache.clock', () => {
  it('is the clock the cache was created with, on which getEntry reports storedAt and expiresAt', async () => {
    const clock = fakeClock();
    const cache = createCache({ store: memoryStore(), clock, ttl: '30s', jitter: 0, setAsDefault: false });
    expect(cache.clock).toBe(clock);
    await cache.set('k', 1);
    clock.advance(10_000);
    const entry = await cache.getEntry('k');
    expect(cache.clock.now() - entry!.storedAt).toBe(10_000);
    expect(entry!.expiresAt - cache.clock.now()).toBe(20_000);
    await cache.close();
  });

  it('is the system clock by default', async () => {
    const cache = createCache({ store: memoryStore(), setAsDefault: false });
    expect(cache.clock).toBe(systemClock);
    await cache.close();
  });
});
