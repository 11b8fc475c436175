// cached() on plain functions: no classes, no decorators. Shows loader call counts, tags
// invalidation, deleting one entry with keyFor, and a TTL chosen from the value.
import { cached, createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

interface Price {
  sku: string;
  cents: number;
}

// A clock moved by hand, so the TTL part below runs at once instead of sleeping; a real
// app leaves `clock` out. `jitter: 0` makes expiry exact for the same reason.
let now = Date.UTC(2026, 0, 1);
const clock = { now: () => now };
const cache = createCache({
  store: memoryStore({ maxEntries: 1_000 }),
  namespace: 'prices',
  ttl: '5m',
  clock,
  jitter: 0,
});

// The "database": a table, and a count of the queries each function ran.
const table = new Map<string, Price>([
  ['apple', { sku: 'apple', cents: 120 }],
  ['pear', { sku: 'pear', cents: 90 }],
]);
const queries = { findPrice: 0, listPrices: 0 };

const findPrice = cached(
  async (sku: string): Promise<Price | null> => {
    queries.findPrice++;
    return table.get(sku) ?? null;
  },
  {
    name: 'findPrice',
    // A missing price is cached briefly, a found one for the cache's 5 minutes.
    ttl: (price) => (price === null ? '10s' : '5m'),
    tags: (sku) => [`price:${sku}`],
  },
);

const listPrices = cached(
  async (): Promise<Price[]> => {
    queries.listPrices++;
    return [...table.values()];
  },
  { name: 'listPrices', tags: ['prices'] },
);

async function setPrice(sku: string, cents: number): Promise<void> {
  table.set(sku, { sku, cents });
  // The write drops what depends on it: this price, and every list.
  await cache.invalidateTags([`price:${sku}`, 'prices']);
}

function show(label: string, value: unknown): void {
  console.log(`${label.padEnd(44)} -> ${JSON.stringify(value)}  queries=${JSON.stringify(queries)}`);
}

show('findPrice("apple")   (miss)', await findPrice('apple'));
show('findPrice("apple")   (hit)', await findPrice('apple'));
show(
  'listPrices()         (miss)',
  (await listPrices()).map((p) => p.cents),
);
show(
  'listPrices()         (hit)',
  (await listPrices()).map((p) => p.cents),
);

await setPrice('apple', 150);
show('setPrice("apple", 150) invalidated tags', ['price:apple', 'prices']);
show('findPrice("apple")   (miss after the write)', await findPrice('apple'));
show(
  'listPrices()         (miss after the write)',
  (await listPrices()).map((p) => p.cents),
);

await cache.delete(findPrice.keyFor('apple'));
show('delete(findPrice.keyFor("apple"))', findPrice.keyFor('apple').storageKey(cache));
show('findPrice("apple")   (miss after delete)', await findPrice('apple'));

show('findPrice("kiwi")    (miss: null, ttl 10s)', await findPrice('kiwi'));
show('findPrice("kiwi")    (hit)', await findPrice('kiwi'));
now += 11_000;
show('11 s later: findPrice("kiwi") (expired)', await findPrice('kiwi'));
show('11 s later: findPrice("apple") (hit, 5m)', await findPrice('apple'));

const { hits, misses, loads } = cache.stats();
console.log(`\nstats: hits=${hits} misses=${misses} loads=${loads}`);
await cache.close();
