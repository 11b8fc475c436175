// A CommonJS app, as NestJS 11 and earlier build one: tsc `module: commonjs`, legacy
// decorators with reflect-metadata. tsc turns each `import` below into `require()`, and
// Node's require(esm) loads the ES-module packages.
import 'reflect-metadata';
import { CacheConfig, Cached, createCache, Invalidates } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

interface Product {
  id: number;
  name: string;
  category: string;
  cents: number;
}

const cache = createCache({ store: memoryStore({ maxEntries: 1_000 }), namespace: 'shop' });

const table = new Map<number, Product>([
  [1, { id: 1, name: 'Teapot', category: 'kitchen', cents: 2_500 }],
  [2, { id: 2, name: 'Kettle', category: 'kitchen', cents: 4_000 }],
  [3, { id: 3, name: 'Lamp', category: 'living', cents: 3_000 }],
]);
let queries = 0;
async function query<T>(run: () => T): Promise<T> {
  queries++;
  return run();
}

// Every @Cached method of the class gets the tag 'catalog' and a 10-minute TTL; keys and
// stats name the class 'catalog'.
@CacheConfig({ name: 'catalog', ttl: '10m', tags: ['catalog'] })
class ProductCatalog {
  @Cached({ tags: (id: number) => [`product:${id}`] })
  async product(id: number): Promise<Product | null> {
    return query(() => table.get(id) ?? null);
  }

  @Cached({ tags: (category: string) => [`category:${category}`] })
  async inCategory(category: string): Promise<Product[]> {
    return query(() => [...table.values()].filter((p) => p.category === category));
  }

  // A new price changes the product and the lists it appears in.
  @Invalidates({ tags: (id: number) => [`product:${id}`, `category:${table.get(id)?.category}`] })
  async setPrice(id: number, cents: number): Promise<void> {
    const found = table.get(id);
    if (found) table.set(id, { ...found, cents });
  }

  // A catalogue import changes everything the class caches.
  @Invalidates({ tags: ['catalog'] })
  async reimport(): Promise<void> {}
}

function show(label: string, value: unknown): void {
  console.log(`${label.padEnd(42)} -> ${JSON.stringify(value)}  queries=${queries}`);
}

async function main(): Promise<void> {
  console.log(`module system: ${typeof require === 'function' && require.main === module ? 'CommonJS' : 'other'}`);
  const catalog = new ProductCatalog();
  show('product(1)          (miss)', await catalog.product(1));
  show('product(1)          (hit)', await catalog.product(1));
  show(
    'inCategory(kitchen) (miss)',
    (await catalog.inCategory('kitchen')).map((p) => p.cents),
  );
  show(
    'inCategory(kitchen) (hit)',
    (await catalog.inCategory('kitchen')).map((p) => p.cents),
  );
  await catalog.setPrice(1, 2_700);
  show('setPrice(1, 2700)', 'invalidated product:1, category:kitchen');
  show('product(1)          (miss, new price)', await catalog.product(1));
  show(
    'inCategory(kitchen) (miss, new price)',
    (await catalog.inCategory('kitchen')).map((p) => p.cents),
  );
  show('product(3)          (miss)', await catalog.product(3));
  await catalog.reimport();
  show('reimport()', 'invalidated catalog');
  show('product(3)          (miss after reimport)', await catalog.product(3));

  const { hits, misses, loads, byMethod } = cache.stats();
  console.log(`\nstats: hits=${hits} misses=${misses} loads=${loads}`);
  for (const [label, row] of Object.entries(byMethod)) console.log(`  ${label}: hits=${row.hits} loads=${row.loads}`);
  await cache.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
