// NestJS providers with cachewise, no Nest module of ours: see docs/migrate/nestjs-cache-manager.md.
import 'reflect-metadata';
import { memoryStore } from '@cachewise/memory';
import { db, type User } from '../support.js';

// #region provider
import { Cache, Cached, createCache, Invalidates } from '@cachewise/core';
import { Injectable, Module } from '@nestjs/common';

@Injectable()
export class UsersService {
  // was: constructor(@Inject(CACHE_MANAGER) private cache: Cache) {}
  constructor(readonly cache: Cache) {}

  // was: @UseInterceptors(CacheInterceptor) @CacheTTL(30_000) on a controller route
  @Cached({ cache: (self: UsersService) => self.cache, ttl: '30s', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }

  // was: await this.cache.del(`/users/${id}`) by hand after the write
  @Invalidates({ cache: (self: UsersService) => self.cache, tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name });
  }
}

@Module({
  providers: [
    // was: imports: [CacheModule.register({ ttl: 5000 })]
    { provide: Cache, useFactory: () => createCache({ store: memoryStore(), namespace: 'api', ttl: '5s' }) },
    UsersService,
  ],
  exports: [UsersService],
})
export class UsersModule {}
// #endregion provider
