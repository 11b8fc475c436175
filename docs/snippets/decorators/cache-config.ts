import { CacheConfig, Cached } from '@cachewise/core';
import { db, type User } from '../support.js';

// #region cache-config
@CacheConfig({ name: 'users', ttl: '10m', tags: ['users'] })
class UserRepository {
  @Cached()
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }
}
// #endregion cache-config

export { UserRepository };
