import { CacheOptionsError } from '@cachewise/core';
import { describeValue } from '@cachewise/core/store';
import { Inject } from '@nestjs/common';

/** The name of the cache `CachewiseModule.forRoot()` registers when given no `name`. */
export const DEFAULT_CACHE_NAME = 'default';

const USE_CACHE = Symbol.for('cachewise:nestjs:use-cache');

/**
 * The injection token of the cache named `name` (default: the unnamed cache, which is also
 * injectable by its class, `Cache`).
 *
 * @example
 * constructor(@Inject(getCacheToken('sessions')) private readonly sessions: Cache) {}
 */
export function getCacheToken(name: string = DEFAULT_CACHE_NAME): string {
  return `cachewise:cache:${name}`;
}

/**
 * Injects the cache named `name` (default: the unnamed one).
 *
 * @example
 * constructor(@InjectCache('sessions') private readonly sessions: Cache) {}
 */
export function InjectCache(name: string = DEFAULT_CACHE_NAME): PropertyDecorator & ParameterDecorator {
  return Inject(getCacheToken(name));
}

/**
 * Points the `@Cached` and `@Invalidates` methods of a provider at the cache named `name`
 * instead of the application's unnamed cache.
 *
 * @example
 * @Injectable()
 * @UseCache('sessions')
 * class SessionStore { @Cached({ ttl: '1h' }) async find(id: string) { ... } }
 */
export function UseCache(name: string): ClassDecorator {
  checkName(name, '@UseCache: `name`');
  return (target) => {
    Object.defineProperty(target, USE_CACHE, { value: name, configurable: true });
  };
}

/** @internal The cache name a class asked for with {@link UseCache}, if any. */
export function cacheNameOf(type: unknown): string | undefined {
  if (typeof type !== 'function') return undefined;
  const name: unknown = (type as unknown as Record<symbol, unknown>)[USE_CACHE];
  return typeof name === 'string' ? name : undefined;
}

/** @internal Checks a cache name. */
export function checkName(name: unknown, option: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new CacheOptionsError(
      `${option} must be a non-empty string of letters, digits, '_', '.' or '-'; got ${describeValue(name)}`,
    );
  }
  return name;
}
