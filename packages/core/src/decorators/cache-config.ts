import { type Cache, getDefaultCache } from '../cache.js';
import { type Duration, parseDuration } from '../duration.js';
import { CacheOptionsError, NoCacheConfiguredError } from '../errors.js';
import { isKeySegment } from '../keys.js';
import { checkTagList, describeValue, isCache, rejectUnknownOptions } from '../validate.js';
import type { UniversalClassDecorator } from './universal-decorator.js';

/** Where a decorated method finds its cache: a cache, or a function of the instance (dependency injection). */
// biome-ignore lint/suspicious/noExplicitAny: the instance's type is the user's class, unknown here
export type CacheSource = Cache | ((instance: any) => Cache);

/** Options of {@link CacheConfig}. */
export interface CacheConfigOptions {
  /** The cache for every decorated method of the class (a method's own `cache` wins). */
  cache?: CacheSource;
  /** The class's name in keys and stats, instead of `constructor.name` (which minifiers change). */
  name?: string;
  /** Default TTL for the class's cached methods. */
  ttl?: Duration;
  /** Tags added to every cached method of the class. */
  tags?: readonly string[];
}

/** @internal Validated class-level settings. */
export interface ClassConfig {
  readonly cache: CacheSource | undefined;
  readonly name: string | undefined;
  readonly ttlMs: number | undefined;
  readonly tags: readonly string[];
}

const KNOWN: { [K in keyof Required<CacheConfigOptions>]: true } = { cache: true, name: true, ttl: true, tags: true };
const configs = new WeakMap<Function, ClassConfig>();
/** Moves on with every `@CacheConfig` applied: a method that found none looks again only then. */
let configsApplied = 0;

/** @internal The class-level settings of `owner`, if it has any. */
export function classConfig(owner: Function | undefined): ClassConfig | undefined {
  return owner === undefined ? undefined : configs.get(owner);
}

/** @internal How many `@CacheConfig`s were applied so far (see {@link classConfig}). */
export function classConfigsApplied(): number {
  return configsApplied;
}

/** Caches bound to instances (or classes, for static methods) by {@link bindCache}. */
const bound = new WeakMap<object, Cache>();
/** Whether {@link bindCache} ever bound anything: until then a call looks nothing up. */
let anyBound = false;

/**
 * Binds `target` (an instance, or a class for its static methods) to `cache`: its
 * `@Cached` and `@Invalidates` methods that name no cache (neither their own `cache`
 * option nor `@CacheConfig({ cache })`) use `cache` instead of the default cache. For
 * dependency-injection containers, which create the instances: `@cachewise/nestjs` binds
 * each provider to its application's cache, so two applications in one process never
 * share one by accident. Binding again replaces the cache; `undefined` removes the binding.
 *
 * @example
 * const repository = new UserRepository(db);
 * bindCache(repository, cache); // repository.findById(1) now uses `cache`
 */
export function bindCache(target: object, cache: Cache | undefined): void {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) {
    throw new CacheOptionsError(`bindCache: \`target\` must be an object or a class; got ${describeValue(target)}`);
  }
  if (cache === undefined) {
    bound.delete(target);
    return;
  }
  if (!isCache(cache)) {
    throw new CacheOptionsError(
      `bindCache: \`cache\` must be a Cache (from createCache) or undefined; got ${describeValue(cache)}`,
    );
  }
  bound.set(target, cache);
  anyBound = true;
}

/**
 * The cache a decorated call uses: its own source (a Cache, or a function of the
 * instance), else the cache bound to the instance, else the default cache. `who` names
 * the method in the error.
 */
export function resolveCache(source: CacheSource | undefined, self: unknown, who: string): Cache {
  const cache =
    source === undefined
      ? ((anyBound ? bound.get(self as object) : undefined) ?? getDefaultCache())
      : typeof source === 'function'
        ? source(self)
        : source;
  if (cache === undefined || typeof (cache as Partial<Cache>).call !== 'function') {
    throw new NoCacheConfiguredError(
      `${who}: no cache to use. Create one with createCache({ store }) before the first call ` +
        '(the first cache is the default), or name one with the `cache` option or @CacheConfig({ cache }).' +
        (cache === undefined ? '' : ' The `cache` function returned something that is not a Cache.'),
    );
  }
  return cache;
}

/** Checks a cache source given as an option. */
export function checkCacheSource(value: unknown, option: string): CacheSource | undefined {
  if (value === undefined) return undefined;
  if (!isCache(value) && typeof value !== 'function') {
    throw new CacheOptionsError(
      `${option} must be a Cache (from createCache) or a function (instance) => Cache; got ${describeValue(value)}`,
    );
  }
  return value as CacheSource;
}

/**
 * Class-level defaults for `@Cached` and `@Invalidates`: which cache, the name used in
 * keys, a default TTL and tags for every cached method.
 *
 * @example
 * @CacheConfig({ name: 'users', ttl: '10m', tags: ['users'] })
 * class UserRepository { ... }
 */
export function CacheConfig(options: CacheConfigOptions): UniversalClassDecorator {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(`@CacheConfig: options must be an object; got ${describeValue(options)}`);
  }
  rejectUnknownOptions('@CacheConfig', options, KNOWN);
  if (options.name !== undefined && !isKeySegment(options.name)) {
    throw new CacheOptionsError(
      `@CacheConfig: \`name\` must be a non-empty string without ':', '#' or spaces; got ${describeValue(options.name)}`,
    );
  }
  const config: ClassConfig = Object.freeze({
    cache: checkCacheSource(options.cache, '@CacheConfig: `cache`'),
    name: options.name,
    ttlMs: options.ttl === undefined ? undefined : parseDuration(options.ttl, '@CacheConfig: `ttl`'),
    tags: checkTagList(options.tags, '@CacheConfig: `tags`'),
  });
  return (target: Function, context?: ClassDecoratorContext) => {
    if (typeof target !== 'function' || (context !== undefined && context.kind !== 'class')) {
      throw new CacheOptionsError('@CacheConfig can only decorate classes');
    }
    configs.set(target, config);
    configsApplied++;
  };
}
