// The same calls, cached: reads with @Cached and tags, writes with @Invalidates of the
// tags they change. The HTTP responses of the routes carry the same tags, so a write
// through this class drops the cached responses too.
import { Cache, CacheConfig, Cached, Invalidates } from '@cachewise/core';
import type { NewUser, User, Users, UserTable } from './users.js';

@CacheConfig({ name: 'UserRepository', ttl: '5m', cache: (repository: UserRepository) => repository.cache })
export class UserRepository implements Users {
  constructor(
    readonly cache: Cache,
    private readonly table: UserTable,
  ) {}

  @Cached({ tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return this.table.findById(id);
  }

  @Cached({ tags: (orgId: number) => [`org:${orgId}`] })
  async listByOrg(orgId: number): Promise<User[] | null> {
    return this.table.listByOrg(orgId);
  }

  // A user's org never changes, so the caller's copy of the user names the right org.
  @Invalidates({ tags: (user: User) => [`user:${user.id}`, `org:${user.orgId}`] })
  async rename(user: User, name: string): Promise<User> {
    return this.table.rename(user, name);
  }

  @Invalidates({ tags: (input: NewUser) => [`org:${input.orgId}`] })
  async create(input: NewUser): Promise<User> {
    return this.table.create(input);
  }
}
