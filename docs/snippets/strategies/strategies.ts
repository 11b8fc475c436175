// The four invalidation strategies on one repository each, as docs/strategies.md shows
// them. Each reads an item and a category listing; each handles a write its own way.
import { type Cache, Cached, Invalidates, methodKey } from '@cachewise/core';
import type { Catalog, Item } from './catalog.js';

export interface CatalogRepository {
  readonly cache: Cache;
  item(id: number): Promise<Item>;
  category(category: number): Promise<Item[]>;
  update(id: number): Promise<void>;
}

// #region ttl
class TtlRepository {
  constructor(
    readonly cache: Cache,
    readonly db: Catalog,
  ) {}

  @Cached({ cache: (self: TtlRepository) => self.cache, ttl: '1m' })
  async item(id: number): Promise<Item> {
    return this.db.item(id);
  }

  @Cached({ cache: (self: TtlRepository) => self.cache, ttl: '1m' })
  async category(category: number): Promise<Item[]> {
    return this.db.category(category);
  }

  // Writes do nothing to the cache: entries are at most a minute old.
  async update(id: number): Promise<void> {
    this.db.write(id);
  }
}
// #endregion ttl

// #region event
class EventRepository {
  constructor(
    readonly cache: Cache,
    readonly db: Catalog,
  ) {}

  @Cached({ cache: (self: EventRepository) => self.cache, ttl: '10m' })
  async item(id: number): Promise<Item> {
    return this.db.item(id);
  }

  @Cached({ cache: (self: EventRepository) => self.cache, ttl: '10m' })
  async category(category: number): Promise<Item[]> {
    return this.db.category(category);
  }

  // The write deletes the entry it knows about; listings that hold the item wait for their TTL.
  @Invalidates({
    cache: (self: EventRepository) => self.cache,
    keys: (id: number) => [methodKey(EventRepository, 'item', id)],
  })
  async update(id: number): Promise<void> {
    this.db.write(id);
  }
}
// #endregion event

// #region tags
class TagRepository {
  constructor(
    readonly cache: Cache,
    readonly db: Catalog,
  ) {}

  @Cached({ cache: (self: TagRepository) => self.cache, ttl: '10m', tags: (id: number) => [`item:${id}`] })
  async item(id: number): Promise<Item> {
    return this.db.item(id);
  }

  // A listing carries the tag of every item in it.
  @Cached({
    cache: (self: TagRepository) => self.cache,
    ttl: '10m',
    resultTags: (items: Item[]) => items.map((item) => `item:${item.id}`),
  })
  async category(category: number): Promise<Item[]> {
    return this.db.category(category);
  }

  @Invalidates({ cache: (self: TagRepository) => self.cache, tags: (id: number) => [`item:${id}`] })
  async update(id: number): Promise<void> {
    this.db.write(id);
  }
}
// #endregion tags

// #region versioning
class VersionedRepository {
  constructor(
    readonly cache: Cache,
    readonly db: Catalog,
  ) {}

  // Every entry carries the catalog's version tag.
  @Cached({ cache: (self: VersionedRepository) => self.cache, ttl: '10m', tags: ['catalog'] })
  async item(id: number): Promise<Item> {
    return this.db.item(id);
  }

  @Cached({ cache: (self: VersionedRepository) => self.cache, ttl: '10m', tags: ['catalog'] })
  async category(category: number): Promise<Item[]> {
    return this.db.category(category);
  }

  // A write bumps the catalog's version: every entry is stale at once, in one write.
  @Invalidates({ cache: (self: VersionedRepository) => self.cache, tags: ['catalog'] })
  async update(id: number): Promise<void> {
    this.db.write(id);
  }
}
// #endregion versioning

export const strategies = {
  TTL: TtlRepository,
  'Event-based': EventRepository,
  Tags: TagRepository,
  Versioning: VersionedRepository,
} satisfies Record<string, new (cache: Cache, db: Catalog) => CatalogRepository>;
