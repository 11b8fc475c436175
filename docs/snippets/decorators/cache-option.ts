import { type Cache, Cached } from '@cachewise/core';
import { db, type User } from '../support.js';

// #region cache-option
class UserRepository {
  constructor(readonly cache: Cache) {}

  @Cached({ cache: (self: UserRepository) => self.cache, ttl: '1m' })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }
}
// #endregion cache-option

export { UserRepository };
