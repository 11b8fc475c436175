import { performance } from 'node:perf_hooks';

/** A method of some cost, as the service would call it without a cache. */
export type Method = (id: number) => Promise<{ id: number }>;

const spin = (us: number): void => {
  const end = performance.now() + us / 1000;
  while (performance.now() < end);
};

/** The method costs the outage scenario runs, cheapest first: the cheaper, the more the cache's own work shows. */
export const METHODS: ReadonlyArray<{ id: string; label: string; method: Method }> = [
  { id: 'trivial', label: 'trivial (async, no I/O)', method: async (id) => ({ id }) },
  {
    id: 'immediate',
    label: 'one setImmediate',
    method: (id) => new Promise((resolve) => setImmediate(() => resolve({ id }))),
  },
  {
    id: 'cpu100us',
    label: '100 µs of CPU',
    method: async (id) => {
      spin(100);
      return { id };
    },
  },
  {
    id: 'cpu1ms',
    label: '1 ms of CPU',
    method: async (id) => {
      spin(1_000);
      return { id };
    },
  },
];
