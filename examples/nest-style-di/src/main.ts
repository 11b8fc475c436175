// NestJS dependency injection with legacy decorators: the cache is a provider, repository
// and service are injectable classes with @Cached / @Invalidates, and the application
// closes the cache when it shuts down. No HTTP: a standalone application context.
import 'reflect-metadata';
import { Cache } from '@cachewise/core';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CacheModule } from './cache.module.js';
import { Database, UserRepository, UserService } from './users.js';

@Module({ imports: [CacheModule], providers: [Database, UserRepository, UserService] })
class AppModule {}

const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
app.enableShutdownHooks(); // SIGTERM, SIGINT, … close the application, and so the cache

const service = app.get(UserService);
const db = app.get(Database);
const cache = app.get(Cache);

function show(label: string, value: unknown): void {
  console.log(`${label.padEnd(40)} -> ${JSON.stringify(value)}  queries=${db.queries}`);
}

console.log(`injected: the repository's cache is the provider's: ${app.get(UserRepository).cache === cache}`);
show('badge(1) (miss)', await service.badge(1));
show('badge(1) (hit)', await service.badge(1));
show('team(10) (miss)', await service.team(10));
show('team(10) (hit)', await service.team(10));
show('badge(2) (miss)', await service.badge(2));
await service.rename(1, 'Ada Lovelace');
show('rename(1, "Ada Lovelace")', 'invalidated user:1, org:10');
show('badge(1) (miss after the write)', await service.badge(1));
show('team(10) (miss after the write)', await service.team(10));
show('badge(2) (hit: user:2 was not touched)', await service.badge(2));

const { hits, misses, loads, byMethod } = cache.stats();
console.log(`stats: hits=${hits} misses=${misses} loads=${loads}`);
for (const [label, row] of Object.entries(byMethod)) console.log(`  ${label}: hits=${row.hits} loads=${row.loads}`);
if (process.argv.includes('--until-signal')) {
  // Stay up like a service until SIGTERM or SIGINT (Ctrl-C): enableShutdownHooks() then
  // closes the application, and with it the cache.
  setInterval(() => {}, 60_000);
  console.log('running until SIGTERM or SIGINT');
} else {
  await app.close();
  console.log(
    `after app.close(): badge(1) runs uncached -> ${JSON.stringify(await service.badge(1))}  queries=${db.queries}`,
  );
}
