import type { CacheOptions, Store } from '@cachewise/core';
import { CacheOptionsError } from '@cachewise/core';
import { describeValue } from '@cachewise/core/store';
import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import { checkName, DEFAULT_CACHE_NAME } from './tokens.js';

/**
 * The options of the cache the module creates: `createCache`'s, except that `store` may
 * also be a function that makes the store, so that each application built from one module
 * (two e2e tests, say) gets its own.
 */
export type CachewiseCacheOptions = Omit<CacheOptions, 'store' | 'setAsDefault'> & {
  /** `memoryStore()`, `redisStore({ client })`, … or a function returning one, called once per application. */
  store: Store | (() => Store);
};

/** Where the cache is registered: its name and whether every module sees it. */
export interface CachewiseRegistration {
  /** Registers a named cache, injected with `@InjectCache(name)`. Default: the unnamed cache, injected as `Cache`. */
  name?: string;
  /** Makes the cache injectable in every module, not only those that import this one. Default `false`. */
  isGlobal?: boolean;
}

/** Options of `CachewiseModule.forRoot`. */
export type CachewiseModuleOptions = CachewiseCacheOptions & CachewiseRegistration;

/** Options of `CachewiseModule.forRootAsync`: the cache options come from a factory with injected dependencies. */
export interface CachewiseModuleAsyncOptions extends CachewiseRegistration {
  /** Modules that export the providers `inject` names. */
  imports?: ModuleMetadata['imports'];
  /** Providers passed to `useFactory`, in order. */
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  /** Returns the cache's options (`store`, `namespace`, `ttl`, …). */
  // biome-ignore lint/suspicious/noExplicitAny: the injected providers' types are the user's
  useFactory: (...args: any[]) => CachewiseCacheOptions | Promise<CachewiseCacheOptions>;
}

/** @internal Validated registration. */
export interface Registration {
  readonly name: string;
  readonly isGlobal: boolean;
}

/** @internal Checks `name` and `isGlobal`; `where` names the call in errors. */
export function checkRegistration(options: unknown, where: string): Registration {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheOptionsError(`${where}: options must be an object; got ${describeValue(options)}`);
  }
  const { name, isGlobal } = options as CachewiseRegistration;
  if (isGlobal !== undefined && typeof isGlobal !== 'boolean') {
    throw new CacheOptionsError(`${where}: \`isGlobal\` must be true or false; got ${describeValue(isGlobal)}`);
  }
  return {
    name: name === undefined ? DEFAULT_CACHE_NAME : checkName(name, `${where}: \`name\``),
    isGlobal: isGlobal === true,
  };
}

/** @internal Checks what `forRootAsync` needs up front: the factory and the lists. */
export function checkAsync(options: CachewiseModuleAsyncOptions): void {
  const where = 'CachewiseModule.forRootAsync';
  if (typeof options.useFactory !== 'function') {
    throw new CacheOptionsError(
      `${where}: \`useFactory\` must be a function returning the cache's options; got ${describeValue(options.useFactory)}`,
    );
  }
  for (const list of ['imports', 'inject'] as const) {
    if (options[list] !== undefined && !Array.isArray(options[list])) {
      throw new CacheOptionsError(`${where}: \`${list}\` must be an array; got ${describeValue(options[list])}`);
    }
  }
  const known = new Set(['name', 'isGlobal', 'imports', 'inject', 'useFactory']);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new CacheOptionsError(
        `${where}: unknown option '${key}'; the options are name, isGlobal, imports, inject and useFactory ` +
          "(the cache's own options are what useFactory returns)",
      );
    }
  }
}

/** @internal The options for createCache: the store made, `name` and `isGlobal` taken out. */
export function cacheOptionsOf(options: unknown, where: string): { options: CacheOptions; store: Store } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheOptionsError(`${where}: the cache options must be an object; got ${describeValue(options)}`);
  }
  const { name: _name, isGlobal: _isGlobal, store, ...rest } = options as CachewiseModuleOptions;
  if ('setAsDefault' in rest) {
    throw new CacheOptionsError(
      `${where}: \`setAsDefault\` is not an option here: the module's caches reach decorated providers through dependency injection, never as the process-wide default`,
    );
  }
  const made = typeof store === 'function' ? (store as () => Store)() : store;
  if (made === undefined || made === null) {
    throw new CacheOptionsError(
      `${where}: \`store\` is required: a store such as memoryStore() or redisStore({ client }), or a function returning one; got ${describeValue(made)}`,
    );
  }
  return { options: { ...rest, store: made } as CacheOptions, store: made };
}
