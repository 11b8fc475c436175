import { Cache } from '@cachewise/core';
import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  type CachewiseModuleAsyncOptions,
  type CachewiseModuleOptions,
  checkAsync,
  checkFactoryResult,
  checkForRoot,
  checkRegistration,
  type Registration,
} from './options.js';
import { CachewiseRegistry } from './registry.js';
import { DEFAULT_CACHE_NAME, getCacheToken } from './tokens.js';

/** @internal Global, so one registry serves every `forRoot` of an application and initialises first. */
@Global()
@Module({ imports: [DiscoveryModule], providers: [CachewiseRegistry], exports: [CachewiseRegistry] })
export class CachewiseCoreModule {}

// Each forRoot is its own module, even with options equal to another's.
let registrations = 0;

/**
 * Registers a cachewise cache as a provider: injectable as `Cache` (the unnamed cache) or
 * with `@InjectCache(name)`. The `@Cached` and `@Invalidates` methods of the application's
 * providers use it with no default cache, and it is closed when the application shuts down.
 *
 * @example
 * @Module({ imports: [CachewiseModule.forRoot({ store: () => memoryStore(), namespace: 'shop', ttl: '5m' })] })
 * class AppModule {}
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is a class with static forRoot methods
export class CachewiseModule {
  /** Registers a cache made from `options` (`createCache`'s, plus `name` and `isGlobal`). */
  static forRoot(options: CachewiseModuleOptions): DynamicModule {
    const registration = checkRegistration(options, 'CachewiseModule.forRoot');
    checkForRoot(options, registration.where);
    return dynamicModule(registration, [], {
      provide: getCacheToken(registration.name),
      useFactory: (registry: CachewiseRegistry) => registry.create(registration, options),
      inject: [CachewiseRegistry],
    });
  }

  /** Registers a cache whose options come from `useFactory`, given the providers `inject` names. */
  static forRootAsync(options: CachewiseModuleAsyncOptions): DynamicModule {
    const registration = checkRegistration(options, 'CachewiseModule.forRootAsync');
    checkAsync(options);
    return dynamicModule(registration, options.imports ?? [], {
      provide: getCacheToken(registration.name),
      useFactory: async (registry: CachewiseRegistry, ...deps: unknown[]) => {
        const cacheOptions: unknown = await options.useFactory(...deps);
        checkFactoryResult(cacheOptions, registration.where);
        return registry.create(registration, cacheOptions as CachewiseModuleOptions);
      },
      inject: [CachewiseRegistry, ...(options.inject ?? [])],
    });
  }
}

function dynamicModule(
  registration: Registration,
  imports: NonNullable<DynamicModule['imports']>,
  cacheProvider: Provider,
): DynamicModule {
  const token = getCacheToken(registration.name);
  const providers: Provider[] = [{ provide: `cachewise:registration:${++registrations}`, useValue: registration }];
  providers.push(cacheProvider);
  const exports: DynamicModule['exports'] = [token];
  if (registration.name === DEFAULT_CACHE_NAME) {
    providers.push({ provide: Cache, useExisting: token });
    exports.push(Cache);
  }
  return {
    module: CachewiseModule,
    global: registration.isGlobal,
    imports: [CachewiseCoreModule, ...imports],
    providers,
    exports,
  };
}
