import { Cached } from '@cachewise/core';
import { db, type User } from '../support.js';

// #region inheritance
class UserRepository {
  @Cached() async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }
}
class AdminRepository extends UserRepository {}

await new UserRepository().findById(1); // stores shop:m:UserRepository.findById:n1
await new AdminRepository().findById(1); // a hit on the same entry
// #endregion inheritance

export { AdminRepository, UserRepository };
