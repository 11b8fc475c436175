import { Cache, createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';

/**
 * Provides one `Cache` to the whole application, injected by its class like any other
 * provider, and closes it when the application shuts down.
 */
@Global()
@Module({
  providers: [
    {
      provide: Cache,
      useFactory: () =>
        createCache({ store: memoryStore({ maxEntries: 10_000 }), namespace: 'nest-example', ttl: '5m' }),
    },
  ],
  exports: [Cache],
})
export class CacheModule implements OnApplicationShutdown {
  constructor(private readonly cache: Cache) {}

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.cache.close();
    console.log(`cache closed (${signal ?? 'app.close()'})`);
  }
}
