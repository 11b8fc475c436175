// The README's quick start, runnable: a repository whose reads take 100 ms, cached with
// @Cached and kept correct with @Invalidates.
import 'reflect-metadata';
import { Cached, createCache, Invalidates } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

interface User {
  id: number;
  name: string;
}

const cache = createCache({
  store: memoryStore({ maxEntries: 10_000 }),
  namespace: 'shop',
  ttl: '5m',
});

const table = new Map<number, User>([
  [1, { id: 1, name: 'Ada' }],
  [2, { id: 2, name: 'Grace' }],
]);
const slowQuery = <T>(result: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(result), 100));

class UserRepository {
  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return slowQuery(table.get(id) ?? null);
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    table.set(id, { id, name });
    await slowQuery(undefined);
  }
}

async function timed<T>(label: string, run: () => Promise<T>): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await run();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`${label.padEnd(40)} ${ms.toFixed(3).padStart(9)} ms  -> ${JSON.stringify(result)}`);
  return result;
}

const users = new UserRepository();
await timed('findById(1)  (miss: database)', () => users.findById(1));
await timed('findById(1)  (hit)', () => users.findById(1));
await timed('findById(42) (miss: null is cached too)', () => users.findById(42));
await timed('findById(42) (hit)', () => users.findById(42));
await timed('rename(1, "Ada Lovelace")', () => users.rename(1, 'Ada Lovelace'));
await timed('findById(1)  (miss after the write)', () => users.findById(1));
await timed('findById(1)  (hit, new name)', () => users.findById(1));
await timed('10 concurrent findById(2) (one load)', async () => {
  const results = await Promise.all(Array.from({ length: 10 }, () => users.findById(2)));
  return `${results.length} results, all ${JSON.stringify(results[0])}`;
});

const { hits, misses, hitRate, offloadRate, loads, coalesced } = cache.stats();
const pct = (rate: number) => `${(rate * 100).toFixed(0)}%`;
console.log(
  `\nstats: hits=${hits} misses=${misses} coalesced=${coalesced} loads=${loads} ` +
    `hitRate=${pct(hitRate)} offloadRate=${pct(offloadRate)} (calls that did not run a database query)`,
);
await cache.close();
