// Compiled with TC39 standard decorators (no experimentalDecorators, no reflect-metadata):
// docs/snippets/standard/tsconfig.json. vitest runs it with standard decorators too.
import { db } from '../support.js';

// #region standard
import { Cached, createCache, Invalidates } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

const cache = createCache({ store: memoryStore(), namespace: 'shop' });

class UserRepository {
  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number) {
    return db.users.find(id);
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string) {
    await db.users.update(id, { name });
  }
}
// #endregion standard

export { cache, UserRepository };
