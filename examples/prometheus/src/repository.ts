import { type Cache, CacheConfig, Cached } from '@cachewise/core';

export interface Product {
  id: number;
  name: string;
}

/** The "database": counts the queries each method ran, so the metrics can be checked against it. */
export class Database {
  readonly queries = { findById: 0, recommendationsFor: 0 };

  async product(id: number): Promise<Product> {
    this.queries.findById++;
    return { id, name: `Product ${id}` };
  }

  async recommendations(userId: number): Promise<number[]> {
    this.queries.recommendationsFor++;
    return [userId + 1, userId + 2, userId + 3];
  }
}

@CacheConfig({ cache: (self: ProductRepository) => self.cache })
export class ProductRepository {
  constructor(
    private readonly db: Database,
    readonly cache: Cache,
  ) {}

  /** A few hot products, kept for an hour: nearly every call is a hit. */
  @Cached({ ttl: '1h' })
  async findById(id: number): Promise<Product> {
    return this.db.product(id);
  }

  /**
   * Kept 10 seconds, but each user asks every 8 seconds: every other call finds its entry
   * expired. A TTL too short for how often the data is read.
   */
  @Cached({ ttl: '10s' })
  async recommendationsFor(userId: number): Promise<number[]> {
    return this.db.recommendations(userId);
  }
}
