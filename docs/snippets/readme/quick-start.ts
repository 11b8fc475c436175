// The README's quick start; docs/test/guides.test.ts checks that the README prints this region.
import type { User } from '../support.js';

const db = {
  users: {
    find: async (id: number): Promise<User | null> => ({ id, name: 'Ada' }),
    update: async (_id: number, _change: Partial<User>): Promise<void> => {},
  },
};

// #region quick-start
import 'reflect-metadata'; // only with legacy experimentalDecorators
import { createCache, Cached, Invalidates } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

const cache = createCache({
  store: memoryStore({ maxEntries: 10_000 }), // or redisStore({ client }) from @cachewise/redis
  namespace: 'shop',
  ttl: '5m',
});

class UserRepository {
  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id); // your database
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name }); // your database
  }
}
// #endregion quick-start

export { cache, UserRepository };
