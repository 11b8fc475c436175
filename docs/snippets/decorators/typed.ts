// Compile errors on purpose: each `@ts-expect-error` fails the type check if the
// decorator stops refusing the method below it.
import { Cached } from '@cachewise/core';
import { db, type User } from '../support.js';

// #region typed
class UserRepository {
  // @ts-expect-error: `tags` must accept the method's parameters (id is a number)
  @Cached({ tags: (id: string) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }

  // @ts-expect-error: `unless` must accept the result, which may be null
  @Cached({ unless: (user: User) => user.id === 0 })
  async findByEmail(email: string): Promise<User | null> {
    return db.users.findByEmail(email);
  }

  // @ts-expect-error: a decorated method must return a Promise
  @Cached()
  count(): number {
    return 0;
  }
}
// #endregion typed

export { UserRepository };
