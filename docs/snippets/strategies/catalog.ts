// The workload behind the strategy comparison on docs/strategies.md: a catalog of items
// in categories, read through a cache and changed now and then. Everything is
// deterministic: a seeded random source and a fake clock, no timers, no I/O.

export interface Item {
  readonly id: number;
  readonly version: number;
}

export const ITEMS = 100;
export const CATEGORIES = 10;

export function categoryOf(id: number): number {
  return id % CATEGORIES;
}

/** The database: each item has a version that every write moves on; it counts its reads. */
export class Catalog {
  readonly versions = new Array<number>(ITEMS).fill(1);
  loads = 0;

  item(id: number): Item {
    this.loads++;
    return { id, version: this.versions[id]! };
  }

  category(category: number): Item[] {
    this.loads++;
    const items: Item[] = [];
    for (let id = category; id < ITEMS; id += CATEGORIES) items.push({ id, version: this.versions[id]! });
    return items;
  }

  write(id: number): void {
    this.versions[id]!++;
  }

  /** True when a value read from the cache is older than the database now. */
  isStale(value: Item | Item[]): boolean {
    const items = Array.isArray(value) ? value : [value];
    return items.some((item) => item.version < this.versions[item.id]!);
  }
}

/** mulberry32: a small seeded generator, so every run sees the same workload. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
