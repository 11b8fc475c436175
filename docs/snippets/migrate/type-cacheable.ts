// A repository as it looks after moving from type-cacheable: see docs/migrate/type-cacheable.md.
import { db, type User } from '../support.js';

// #region repository
import { Cached, Invalidates, methodKey } from '@cachewise/core';

class UserRepository {
  // was: @Cacheable({ cacheKey: (args) => `user:${args[0]}`, ttlSeconds: 300 })
  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }

  // was: @Cacheable({ cacheKey: 'users:count', isCacheable: (n) => n > 0 })
  @Cached({ key: () => 'users:count', unless: (count: number) => count === 0 })
  async count(): Promise<number> {
    return db.users.count();
  }

  // was: @CacheClear({ cacheKey: (args) => `user:${args[0]}` })
  @Invalidates({ keys: (id: number) => [methodKey(UserRepository, 'findById', id)] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name });
  }

  // was: @CacheClear({ cacheKey: 'user:*', isPattern: true }): a tag instead of a key scan
  @Invalidates({ tags: (id: number) => [`user:${id}`], keys: ['users:count'] })
  async remove(id: number): Promise<void> {
    await db.users.delete(id);
  }
}
// #endregion repository

export { UserRepository };
