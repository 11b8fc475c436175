// @cachewise/nestjs, as docs/nestjs.md shows it; compiled by pnpm typecheck (packages/nestjs/test runs applications of this shape).
import 'reflect-metadata';
import { db, type User } from '../support.js';

// #region module
import { Cached, Invalidates } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { CachewiseModule } from '@cachewise/nestjs';
import { Injectable, Module } from '@nestjs/common';

@Injectable()
export class UserRepository {
  @Cached({ tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return db.users.find(id);
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(id: number, name: string): Promise<void> {
    await db.users.update(id, { name });
  }
}

@Module({
  imports: [CachewiseModule.forRoot({ store: () => memoryStore(), namespace: 'shop', ttl: '5m' })],
  providers: [UserRepository],
})
export class AppModule {}
// #endregion module

export class ConfigService {
  get(name: string): string {
    return process.env[name] ?? 'shop';
  }
}
@Module({ providers: [ConfigService], exports: [ConfigService] })
export class ConfigModule {}

// #region for-root-async
import { redisStore } from '@cachewise/redis';
import { Redis } from 'ioredis';

export const cacheModule = CachewiseModule.forRootAsync({
  imports: [ConfigModule],
  inject: [ConfigService],
  useFactory: (config: ConfigService) => ({
    store: redisStore({ client: new Redis(config.get('REDIS_URL')) }),
    namespace: config.get('CACHE_NAMESPACE'),
  }),
});
// #endregion for-root-async

// #region inject
import { Cache } from '@cachewise/core';

@Injectable()
export class Reports {
  constructor(private readonly cache: Cache) {}

  async drop(id: number): Promise<void> {
    await this.cache.invalidateTags([`report:${id}`]);
  }
}
// #endregion inject

interface Session {
  id: string;
}

// #region named
import { InjectCache, UseCache } from '@cachewise/nestjs';

@Injectable()
@UseCache('sessions')
export class SessionStore {
  constructor(@InjectCache('sessions') private readonly sessions: Cache) {}

  @Cached({ ttl: '1h' })
  async find(id: string): Promise<Session | null> {
    return (await this.sessions.get<Session>(`raw:${id}`)) ?? null;
  }
}

@Module({
  imports: [
    CachewiseModule.forRoot({ store: () => memoryStore(), namespace: 'app' }),
    CachewiseModule.forRoot({ name: 'sessions', store: () => memoryStore(), namespace: 'sessions' }),
  ],
  providers: [SessionStore],
})
export class SessionsModule {}
// #endregion named

// #region request-scoped
import { CacheConfig } from '@cachewise/core';
import { Scope } from '@nestjs/common';

@Injectable({ scope: Scope.REQUEST })
@CacheConfig({ cache: (self: Permissions) => self.cache })
export class Permissions {
  constructor(@InjectCache() readonly cache: Cache) {}

  @Cached({ ttl: '1m' })
  async of(userId: number): Promise<string[]> {
    return (await db.users.find(userId)) === null ? [] : ['read'];
  }
}
// #endregion request-scoped

// #region interceptor
import { CacheTags, CacheTTL, CachewiseInterceptor, HttpCache } from '@cachewise/nestjs';
import { Controller, Get, Param, Post, UseInterceptors } from '@nestjs/common';

@Controller('users')
@UseInterceptors(CachewiseInterceptor)
@CacheTTL('1m')
export class UsersController {
  constructor(
    private readonly users: UserRepository,
    private readonly cache: Cache,
  ) {}

  @Get(':id')
  @CacheTags((req: { params: { id: string } }) => [`user:${req.params.id}`])
  find(@Param('id') id: string) {
    return this.users.findById(Number(id));
  }

  @Post(':id')
  async rename(@Param('id') id: string) {
    await this.users.rename(Number(id), 'new name');
    await this.cache.invalidateTags([`user:${id}`]); // drops the stored responses
  }

  @Get()
  @HttpCache({ vary: ['accept-language'] })
  list() {
    return db.users.ofOrg(1);
  }
}
// #endregion interceptor
