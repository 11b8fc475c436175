import { Cached, Invalidates, methodKey } from '@cachewise/core';
import { db, type User } from '../support.js';

// #region invalidates
class UserRepository {
  @Cached({ tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name });
  }

  @Invalidates({
    tags: ['users'],
    keys: (id: number) => [methodKey(UserRepository, 'findById', id), `avatar:${id}`],
  })
  async remove(id: number): Promise<void> {
    await db.users.delete(id);
  }
}
// #endregion invalidates

export { UserRepository };
