import type { CacheOptions, Store } from '@cachewise/core';
import { CacheOptionsError } from '@cachewise/core';
import { describeValue, isStore } from '@cachewise/core/store';
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
  /** The call, and the cache's name if it has one, for error messages. */
  readonly where: string;
}

// Every option of the cache the module makes: the compiler keeps the list complete.
const CACHE_OPTIONS: { [K in keyof Required<CachewiseCacheOptions>]: true } = {
  store: true,
  namespace: true,
  ttl: true,
  jitter: true,
  serializer: true,
  maxPayloadBytes: true,
  clock: true,
  random: true,
  maxLabels: true,
  enabled: true,
  stampede: true,
  logger: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  revalidate: true,
  earlyRefresh: true,
  storeTimeout: true,
  circuitBreaker: true,
};
const FOR_ROOT_OPTIONS: { [K in keyof Required<CachewiseModuleOptions>]: true } = {
  ...CACHE_OPTIONS,
  name: true,
  isGlobal: true,
};

const A_STORE = 'a store such as memoryStore() or redisStore({ client })';

/** @internal Checks `name` and `isGlobal`; `call` names the call in errors. */
export function checkRegistration(options: unknown, call: string): Registration {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheOptionsError(`${call}: options must be an object; got ${describeValue(options)}`);
  }
  const { name, isGlobal } = options as CachewiseRegistration;
  if (isGlobal !== undefined && typeof isGlobal !== 'boolean') {
    throw new CacheOptionsError(`${call}: \`isGlobal\` must be true or false; got ${describeValue(isGlobal)}`);
  }
  const checked = name === undefined ? DEFAULT_CACHE_NAME : checkName(name, `${call}: \`name\``);
  return {
    name: checked,
    isGlobal: isGlobal === true,
    where: name === undefined ? call : `${call}({ name: '${checked}' })`,
  };
}

/**
 * @internal Checks what forRoot is given, when it is called: names, `setAsDefault`, and the
 * store (or a function making one). The values of the cache's options are createCache's to
 * check, when the application starts.
 */
export function checkForRoot(options: CachewiseModuleOptions, where: string): void {
  checkKeys(options, FOR_ROOT_OPTIONS, where, 'unknown option');
  checkStore(options.store, where);
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

/** @internal Checks what `forRootAsync`'s useFactory returned, as `checkForRoot` checks forRoot's options. */
export function checkFactoryResult(options: unknown, where: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheOptionsError(
      `${where}: useFactory must return the cache's options, an object; got ${describeValue(options)}`,
    );
  }
  for (const key of ['name', 'isGlobal'] as const) {
    if (Object.hasOwn(options, key)) {
      throw new CacheOptionsError(
        `${where}: useFactory returned \`${key}\`, which goes to forRootAsync itself: forRootAsync({ ${key}, useFactory })`,
      );
    }
  }
  checkKeys(options, CACHE_OPTIONS, where, 'useFactory returned an unknown option');
  checkStore((options as CachewiseCacheOptions).store, where);
}

function checkKeys(options: object, known: object, where: string, what: string): void {
  if ('setAsDefault' in options) {
    throw new CacheOptionsError(
      `${where}: \`setAsDefault\` is not an option here: the module's caches reach decorated providers through dependency injection, never as the process-wide default`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw new CacheOptionsError(`${where}: ${what} '${key}'. Known options: ${Object.keys(known).join(', ')}`);
    }
  }
}

function checkStore(store: unknown, where: string): void {
  if (store === undefined) {
    throw new CacheOptionsError(`${where}: \`store\` is required: ${A_STORE}, or a function returning one`);
  }
  if (typeof store !== 'function' && !isStore(store)) {
    throw new CacheOptionsError(
      `${where}: \`store\` must be ${A_STORE}, or a function returning one; got ${describeValue(store)}`,
    );
  }
}

/** @internal The options for createCache, with the store made: checked options (`checkForRoot`) without `name` and `isGlobal`. */
export function cacheOptionsOf(
  options: CachewiseModuleOptions,
  where: string,
): { options: CacheOptions; store: Store } {
  const { name: _name, isGlobal: _isGlobal, store, ...rest } = options;
  const made: unknown = typeof store === 'function' ? store() : store;
  if (typeof (made as { then?: unknown } | null)?.then === 'function') {
    throw new CacheOptionsError(
      `${where}: the \`store\` function returned a promise; it must return the store itself ` +
        "(build it in forRootAsync's useFactory to wait for something first)",
    );
  }
  if (!isStore(made)) {
    throw new CacheOptionsError(`${where}: the \`store\` function must return ${A_STORE}; got ${describeValue(made)}`);
  }
  return { options: { ...rest, store: made }, store: made };
}
