import { classConfig } from './cache-config.js';
import { recordOf } from './cached-method.js';
import { invalidatesCacheOf } from './invalidates.js';

/**
 * The `@Cached` and `@Invalidates` instance methods of class `type` (and of the classes it
 * extends) that name no cache of their own, neither a `cache` option nor
 * `@CacheConfig({ cache })`: on an instance, they use the cache `bindCache` bound to
 * it, else the default cache. For dependency-injection containers, to refuse up front a
 * class whose instances they make too late to bind (`@cachewise/nestjs` does, for
 * request-scoped providers).
 *
 * @example
 * methodsWithoutCache(UserRepository); // ['findById', 'rename']
 */
export function methodsWithoutCache(type: Function): string[] {
  const names: string[] = [];
  const seen = new Set<string | symbol>();
  let prototype: unknown = type.prototype;
  while (typeof prototype === 'object' && prototype !== null && prototype !== Object.prototype) {
    const owner = (prototype as { constructor?: Function }).constructor;
    for (const key of Reflect.ownKeys(prototype)) {
      // A method a subclass overrides is not the one its instances call.
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const method: unknown = Object.getOwnPropertyDescriptor(prototype, key)?.value;
      const own = recordOf(method)?.spec ?? invalidatesCacheOf(method);
      if (own !== undefined && own.cache === undefined && classConfig(owner)?.cache === undefined) {
        names.push(String(key));
      }
    }
    prototype = Object.getPrototypeOf(prototype);
  }
  return names;
}
