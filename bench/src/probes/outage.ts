/**
 * Calls per second a cache serves while its store is down and the circuit breaker open,
 * as a ratio of the uncached method's own rate (issue 9), on the built packages:
 *   pnpm --filter @cachewise/bench build && node bench/dist/probes/outage.js
 * The store never answers (a paused Redis, as the breaker sees it); five calls open the
 * breaker, then each round times the method alone and the same calls through the cache,
 * alternating, and prints the medians over five rounds, for methods of four costs.
 */
import { performance } from 'node:perf_hooks';
import { createCache, type Store } from '@cachewise/core';

const hang = (): Promise<never> => new Promise<never>(() => {});
const deadStore = {
  name: 'dead',
  payload: 'bytes',
  read: hang,
  readTags: hang,
  write: hang,
  delete: hang,
  invalidateTags: hang,
  close: () => {},
} as unknown as Store;

const spin = (us: number): void => {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
};

type Method = (id: number) => Promise<{ id: number }>;
const methods: Array<[string, Method, number]> = [
  ['trivial (async, no I/O)', async (id) => ({ id }), 20_000],
  ['one setImmediate', (id) => new Promise((resolve) => setImmediate(() => resolve({ id }))), 20_000],
  ['100 µs of CPU', async (id) => (spin(100), { id }), 5_000],
  ['1 ms of CPU', async (id) => (spin(1_000), { id }), 1_000],
];

async function rate(calls: number, call: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await call(i);
  return calls / ((performance.now() - start) / 1000);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

for (const [label, method, calls] of methods) {
  const cache = createCache({ store: deadStore, storeTimeout: 20, circuitBreaker: { failures: 5, cooldown: '1h' } });
  for (let i = 0; i < 5; i++) await cache.wrap(`k${i}`, () => method(i));
  if (cache.stats().circuit !== 'open') throw new Error('the breaker did not open');
  const ratios: number[] = [];
  const uncached: number[] = [];
  const served: number[] = [];
  for (let round = 0; round < 5; round++) {
    const alone = await rate(calls, (i) => method(i));
    const through = await rate(calls, (i) => cache.wrap(`k${i % 1000}`, () => method(i)));
    uncached.push(alone);
    served.push(through);
    ratios.push(through / alone);
  }
  console.log(
    `${label}: uncached ${Math.round(median(uncached))}/s, during the outage ${Math.round(median(served))}/s, ` +
      `ratio ${median(ratios).toFixed(3)} (rounds ${ratios.map((r) => r.toFixed(3)).join(', ')})`,
  );
}
process.exit(0);
