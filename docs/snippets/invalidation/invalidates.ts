import { Invalidates } from '@cachewise/core';
import { db } from '../support.js';

export class UserRepository {
  // #region invalidates
  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name });
  }
  // #endregion invalidates
}
