import { mapStore } from './src/map-store.js';

// #region fake-clock
import { createCache } from '@cachewise/core';
import { deferred, fakeClock } from '@cachewise/core/testing';

const clock = fakeClock(); // starts at 2026-01-01T00:00:00Z; fakeClock(start) to choose
const cache = createCache({ store: mapStore(), clock, jitter: 0 });

await cache.set('k', 'v', { ttl: '1m' });
clock.advance(60_000); // or clock.set(ms)
await cache.get('k'); // undefined: expired by the cache's clock

// Hold a loader open to test a race.
const started = deferred<void>();
const gate = deferred<string>();
const pending = cache.wrap('slow', () => {
  started.resolve();
  return gate.promise;
});
await started.promise; // the store was read; the load is running
await cache.delete('slow');
gate.resolve('old');
await pending; // 'old' for this caller; the write was refused
await cache.get('slow'); // undefined
// #endregion fake-clock

export { cache, clock, pending };
