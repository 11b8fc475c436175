/**
 * Probes for the resource bounds of issue 6 (items 9, 10 and 11), on the built packages:
 *   pnpm --filter @cachewise/bench build && node --expose-gc bench/dist/probes/bounds.js
 * Each line is one figure; no peer, no rounds: these are bounds, not speeds.
 */
import { performance } from 'node:perf_hooks';
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { settleHeap } from '../harness/gc.js';

/** Item 9: one write of a category whose products all point back to it, under `maxBytes`. */
async function sharedReferences(products: number): Promise<string> {
  const cache = createCache({
    store: memoryStore({ maxBytes: 1e12 }),
    namespace: `shared${products}`,
    setAsDefault: false,
  });
  const category: { name: string; products: object[] } = { name: 'tools', products: [] };
  for (let i = 0; i < products; i++) category.products.push({ id: i, name: `product ${i}`, category });
  const start = performance.now();
  await cache.set('category', category);
  const ms = performance.now() - start;
  await cache.close();
  return `item 9: set() of a category with ${products} products pointing back to it: ${ms.toFixed(1)} ms`;
}

/** Item 10: 200 entries holding a 1 MB string 10 levels deep, under a 1 MB budget. */
async function deepValues(): Promise<string> {
  const store = memoryStore({ maxBytes: 1_000_000 });
  const cache = createCache({ store, namespace: 'deep', setAsDefault: false });
  await settleHeap();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 200; i++) {
    let value: unknown = Buffer.alloc(1_000_000, 97 + (i % 26)).toString('latin1'); // a flat string, not a rope
    for (let depth = 0; depth < 10; depth++) value = { inner: value };
    await cache.set(`k${i}`, value);
  }
  await settleHeap();
  const retained = (process.memoryUsage().heapUsed - before) / 1e6;
  const line = `item 10: 200 x 1 MB strings 10 levels deep, maxBytes 1 MB: ${store.size} entries kept, ${retained.toFixed(1)} MB retained`;
  await cache.close();
  return line;
}

/** Item 11: 200,000 distinct `wrap` names on one cache. */
async function wrapNames(): Promise<string> {
  const cache = createCache({ store: memoryStore({ maxEntries: 10 }), namespace: 'names', setAsDefault: false });
  await settleHeap();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 200_000; i++) await cache.wrap('k', () => i, { name: `n${i}` });
  await settleHeap();
  const grown = (process.memoryUsage().heapUsed - before) / 1e6;
  const rows = Object.keys(cache.stats().byMethod).length;
  await cache.close();
  return `item 11: 200,000 wrap names: ${rows} byMethod rows, heap +${grown.toFixed(1)} MB`;
}

for (const probe of [() => sharedReferences(300), () => sharedReferences(1_000), deepValues, wrapNames]) {
  console.log(await probe());
}
