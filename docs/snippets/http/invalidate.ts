import { Invalidates } from '@cachewise/core';
import { db } from '../support.js';

// #region invalidate
class UserRepository {
  @Invalidates({ tags: (id: string) => [`user:${id}`] })
  async rename(id: string, name: string): Promise<void> {
    await db.users.update(Number(id), { name });
  }
}
// #endregion invalidate

export { UserRepository };
