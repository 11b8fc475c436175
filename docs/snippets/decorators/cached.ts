import { Cached } from '@cachewise/core';
import { db, type Order, type Page, type Product, type Query, type Result, type User } from '../support.js';

// #region cached
class UserRepository {
  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }

  @Cached('30s') // shorthand for { ttl: '30s' }
  async count(): Promise<number> {
    return db.users.count();
  }

  @Cached() // every default
  async roles(): Promise<string[]> {
    return ['admin', 'reader'];
  }
}
// #endregion cached

export class Catalog {
  // #region tags-list
  @Cached({ tags: ['catalog'] })
  async listProducts(): Promise<Product[]> {
    return [{ sku: 'tea', price: 4 }];
  }
  // #endregion tags-list

  // #region tags-function
  @Cached({ tags: (orderId: number, userId: number) => [`order:${orderId}`, `user:${userId}`] })
  async findOrder(orderId: number, userId: number): Promise<Order | null> {
    return { id: orderId, userId };
  }
  // #endregion tags-function

  // #region key
  @Cached({ key: (slug: string) => `page:${slug}` })
  async page(slug: string): Promise<Page> {
    return { slug, html: `<h1>${slug}</h1>` };
  }
  // #endregion key

  // #region condition
  @Cached({ condition: (query: Query) => query.limit <= 100 })
  async search(query: Query): Promise<Result[]> {
    return Array.from({ length: Math.min(query.limit, 3) }, (_, id) => ({ id }));
  }
  // #endregion condition

  // #region unless
  @Cached({ unless: (user: User | null) => user === null })
  async findByEmail(email: string): Promise<User | null> {
    return db.users.findByEmail(email);
  }
  // #endregion unless
}

export { UserRepository };
