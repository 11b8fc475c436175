// The migration guides' code, run: docs/migrate/*.md.
import 'reflect-metadata';
import { createCache, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { NestFactory } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { db } from '../snippets/support.js';

describe('from type-cacheable', () => {
  it('the ported repository caches, and its writes drop what they name', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'type-cacheable', setAsDefault: true });
    const { UserRepository } = await import('../snippets/migrate/type-cacheable.js');
    const users = new UserRepository();
    const reads = db.counts.reads;
    await users.findById(1);
    await users.findById(1);
    expect(db.counts.reads).toBe(reads + 1);
    await users.rename(1, 'Ada');
    expect((await users.findById(1))?.name).toBe('Ada');
    expect(db.counts.reads).toBe(reads + 2);

    const before = await users.count();
    expect(await cache.get('users:count')).toBe(before); // stored under the key it names
    await users.remove(2);
    expect(await cache.get('users:count')).toBeUndefined();
    expect(await users.count()).toBe(before - 1);
    await cache.close();
  });
});

describe('from cache-manager', () => {
  it('the calls return what the comments say', async () => {
    const { calls } = await import('../snippets/migrate/cache-manager.js');
    const { config, expiresAt, user } = await calls();
    expect(config).toEqual({ flags: ['a'] });
    expect(typeof expiresAt).toBe('number');
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(user?.id).toBe(1);
  });
});

describe('from @nestjs/cache-manager', () => {
  it('a Nest provider with @Cached and @Invalidates, its cache injected', async () => {
    setDefaultCache(undefined); // the injected cache, not a default, must serve the calls
    const { UsersModule, UsersService } = await import('../snippets/migrate/nestjs.js');
    const app = await NestFactory.createApplicationContext(UsersModule, { logger: false });
    try {
      const users = app.get(UsersService);
      const reads = db.counts.reads;
      await users.findById(42);
      await users.findById(42);
      expect(db.counts.reads).toBe(reads + 1);
      expect(users.cache.stats().byMethod['UsersService.findById']).toMatchObject({ hits: 1, misses: 1 });
      await users.rename(42, 'Douglas A.');
      expect((await users.findById(42))?.name).toBe('Douglas A.');
      expect(db.counts.reads).toBe(reads + 2);
    } finally {
      await app.close();
    }
  });
});
