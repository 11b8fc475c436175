import { type Cache, Invalidates, methodKey } from '@cachewise/core';
import { db } from '../support.js';
import { UserRepository } from './invalidates.js';

export async function dropOne(cache: Cache): Promise<void> {
  // #region method-key-delete
  await cache.delete(methodKey(UserRepository, 'findById', 42));
  // #endregion method-key-delete
}

export class Admin {
  // #region method-key-invalidates
  @Invalidates({ keys: (id: number) => [methodKey(UserRepository, 'findById', id)] })
  async remove(id: number): Promise<void> {
    await db.users.delete(id);
  }
  // #endregion method-key-invalidates
}
