import { Cached } from '@cachewise/core';
import { db, type User } from '../support.js';

export class OrgRepository {
  // #region result-dependent
  @Cached({
    ttl: (users: User[]) => (users.length === 0 ? '10s' : '5m'), // a short TTL for an empty list
    tags: (orgId: number) => [`org:${orgId}`],
    resultTags: (users: User[]) => users.map((u) => `user:${u.id}`), // a tag per item
  })
  async usersOf(orgId: number): Promise<User[]> {
    return db.users.ofOrg(orgId);
  }
  // #endregion result-dependent
}
