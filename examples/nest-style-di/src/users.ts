import { Cache, CacheConfig, Cached, Invalidates } from '@cachewise/core';
import { Injectable } from '@nestjs/common';

export interface User {
  id: number;
  name: string;
  orgId: number;
}

/** The "database": a table and a count of the queries run against it. */
@Injectable()
export class Database {
  queries = 0;
  private readonly users = new Map<number, User>([
    [1, { id: 1, name: 'Ada', orgId: 10 }],
    [2, { id: 2, name: 'Grace', orgId: 10 }],
    [3, { id: 3, name: 'Edsger', orgId: 20 }],
  ]);

  async find(id: number): Promise<User | null> {
    this.queries++;
    return this.users.get(id) ?? null;
  }

  async inOrg(orgId: number): Promise<User[]> {
    this.queries++;
    return [...this.users.values()].filter((user) => user.orgId === orgId);
  }

  async update(user: User): Promise<void> {
    this.queries++;
    this.users.set(user.id, user);
  }
}

// The cache comes from the instance: Nest injects it into the constructor, and
// @CacheConfig points every @Cached and @Invalidates method of the class at it.
@Injectable()
@CacheConfig({ cache: (self: UserRepository) => self.cache })
export class UserRepository {
  constructor(
    private readonly db: Database,
    readonly cache: Cache,
  ) {}

  @Cached({ tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return this.db.find(id);
  }

  @Cached({ ttl: '1m', tags: (orgId: number) => [`org:${orgId}`] })
  async usersInOrg(orgId: number): Promise<User[]> {
    return this.db.inOrg(orgId);
  }

  // The user's own entries, and their organisation's list, are stale after a rename.
  @Invalidates({ tags: (user: User) => [`user:${user.id}`, `org:${user.orgId}`] })
  async save(user: User): Promise<void> {
    await this.db.update(user);
  }
}

// A service above the repository caches a result of its own under the same tag, so a
// write through the repository drops it too.
@Injectable()
@CacheConfig({ cache: (self: UserService) => self.cache })
export class UserService {
  constructor(
    private readonly users: UserRepository,
    readonly cache: Cache,
  ) {}

  @Cached({ tags: (id: number) => [`user:${id}`] })
  async badge(id: number): Promise<string> {
    const user = await this.users.findById(id);
    return user === null ? 'unknown user' : `${user.name} #${user.id}`;
  }

  async team(orgId: number): Promise<string[]> {
    return (await this.users.usersInOrg(orgId)).map((user) => user.name);
  }

  async rename(id: number, name: string): Promise<void> {
    const user = await this.users.findById(id);
    if (user !== null) await this.users.save({ ...user, name });
  }
}
