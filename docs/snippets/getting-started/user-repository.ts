// #region cache-a-method
import { Cached, Invalidates } from '@cachewise/core';

interface User {
  id: number;
  name: string;
}

class UserRepository {
  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id); // your database call
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name });
  }
}
// #endregion cache-a-method
import { db } from '../support.js';

export { UserRepository };
