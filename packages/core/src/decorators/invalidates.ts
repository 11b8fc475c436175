// biome-ignore-all lint/suspicious/noExplicitAny: the default accepts every method
import type { Cache, EntryRef } from '../cache.js';
import { CacheOptionsError } from '../errors.js';
import type { WhenUnreachable } from '../invalidation-queue.js';
import type { InvalidationMode } from '../store.js';
import { checkMode, checkTagList, checkWhenUnreachable, describeValue, rejectUnknownOptions } from '../validate.js';
import { type CacheSource, checkCacheSource, classConfig, resolveCache } from './cache-config.js';
import {
  findOwner,
  methodDecorator,
  type OnlyKnownOptions,
  requireAsync,
  type UniversalMethodDecorator,
} from './universal-decorator.js';

/**
 * Options of {@link Invalidates}. `Args` are the decorated method's parameters: the
 * compiler checks the `tags` and `keys` functions against the method.
 */
export interface InvalidatesOptions<Args extends unknown[] = any[]> {
  /** Tags to invalidate: a list, or a function of the method's arguments. */
  tags?: readonly string[] | ((...args: Args) => readonly string[]);
  /**
   * Entries to delete: keys (as given to `@Cached({ key })` or `cache.set`), or
   * `methodKey(Class, 'method', ...args)` references; a list or a function of the arguments.
   */
  keys?: ReadonlyArray<string | EntryRef> | ((...args: Args) => ReadonlyArray<string | EntryRef>);
  /** Invalidate before the method runs instead of after it succeeds. Default false. */
  before?: boolean;
  /** `'delete'` (default) or `'expire'` (entries stay readable as stale). */
  mode?: InvalidationMode;
  /** The cache: a Cache or a function of the instance; default the class's, then the default cache. */
  cache?: CacheSource;
  /**
   * When the store cannot be reached (an error, `storeTimeout`, the circuit breaker open):
   * `'reject'` (default) rejects the call after the method ran, so the caller knows its
   * write may still be visible elsewhere; `'queue'` resolves with the method's result once
   * the invalidation is queued. Either way it is replayed when the store answers, and this
   * cache serves none of the entries it covers meanwhile.
   */
  whenUnreachable?: WhenUnreachable;
}

const KNOWN: { [K in keyof Required<InvalidatesOptions>]: true } = {
  tags: true,
  keys: true,
  before: true,
  mode: true,
  cache: true,
  whenUnreachable: true,
};

type ListSource<T> = readonly T[] | ((...args: unknown[]) => readonly T[]);

function checkKeys(value: unknown, option: string): ListSource<string | EntryRef> {
  if (value === undefined) return [];
  if (typeof value === 'function') return value as ListSource<string | EntryRef>;
  return checkKeyList(value, option);
}

function checkKeyList(value: unknown, option: string): ReadonlyArray<string | EntryRef> {
  const isKey = (k: unknown): boolean =>
    (typeof k === 'string' && k.length > 0) ||
    (typeof k === 'object' && k !== null && typeof (k as EntryRef).storageKey === 'function');
  if (!Array.isArray(value) || !value.every(isKey)) {
    throw new CacheOptionsError(
      `${option} must be an array of keys or methodKey() references; got ${describeValue(value)}`,
    );
  }
  return value as ReadonlyArray<string | EntryRef>;
}

/** A tags function's result: an array of non-empty strings (undefined is not an empty list). */
function checkTagResult(value: unknown, option: string): readonly string[] {
  if (value === undefined)
    throw new CacheOptionsError(`${option} must be an array of non-empty strings; got undefined`);
  return checkTagList(value, option);
}

/**
 * Invalidates tags and entries when the method succeeds (or before it runs, with
 * `before: true`). A method that throws invalidates nothing (unless `before`), and its
 * error reaches the caller unchanged. When the returned promise resolves, the
 * invalidation has reached the store (or, with `whenUnreachable: 'queue'`, is queued).
 *
 * @example
 * @Invalidates({ tags: (id: number) => [`user:${id}`] })
 * async rename(id: number, name: string): Promise<void> { ... }
 */
export function Invalidates<O extends InvalidatesOptions>(
  options: OnlyKnownOptions<O, InvalidatesOptions>,
): UniversalMethodDecorator<O>;
export function Invalidates(options: InvalidatesOptions): UniversalMethodDecorator<InvalidatesOptions> {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(
      `@Invalidates: options must be an object with \`tags\` and/or \`keys\`; got ${describeValue(options)}`,
    );
  }
  rejectUnknownOptions('@Invalidates', options, KNOWN);
  const tags: ListSource<string> =
    typeof options.tags === 'function'
      ? (options.tags as ListSource<string>)
      : checkTagList(options.tags, '@Invalidates: `tags`');
  const keys = checkKeys(options.keys, '@Invalidates: `keys`');
  if (options.tags === undefined && options.keys === undefined) {
    throw new CacheOptionsError('@Invalidates: give `tags`, `keys` or both; with neither it would do nothing');
  }
  const mode = checkMode(options.mode, '@Invalidates: `mode`');
  if (options.before !== undefined && typeof options.before !== 'boolean') {
    throw new CacheOptionsError(`@Invalidates: \`before\` must be true or false; got ${describeValue(options.before)}`);
  }
  const before = options.before === true;
  const source = checkCacheSource(options.cache, '@Invalidates: `cache`');
  const whenUnreachable = checkWhenUnreachable(options.whenUnreachable, '@Invalidates: `whenUnreachable`');

  return methodDecorator('@Invalidates', (original, site) => {
    if (site.owner !== undefined) requireAsync(site, site.owner.name);
    let owner = site.owner;
    const resolve = (self: unknown): Cache => {
      owner ??= findOwner(self, wrapper, site.methodName, site.isStatic);
      return resolveCache(
        source ?? classConfig(owner)?.cache,
        self,
        `@Invalidates ${owner?.name ?? ''}.${site.methodName}`,
      );
    };
    /** The call's tags and keys, checked: a function returning the wrong shape is a usage error. */
    const targets = (
      self: unknown,
      args: unknown[],
    ): { tags: readonly string[]; keys: ReadonlyArray<string | EntryRef> } => {
      const where = `@Invalidates ${owner?.name ?? ''}.${site.methodName}`;
      return {
        tags:
          typeof tags === 'function'
            ? checkTagResult(tags.apply(self, args), `${where}: the \`tags\` function's result`)
            : tags,
        keys:
          typeof keys === 'function'
            ? checkKeyList(keys.apply(self, args), `${where}: the \`keys\` function's result`)
            : keys,
      };
    };
    const invalidate = async (
      cache: Cache,
      { tags: tagList, keys: keyList }: ReturnType<typeof targets>,
    ): Promise<void> => {
      await Promise.all([
        tagList.length > 0 ? cache.invalidateTags(tagList, { mode, whenUnreachable }) : undefined,
        keyList.length > 0 ? cache.delete(...keyList, { whenUnreachable }) : undefined,
      ]);
    };
    const wrapper = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
      // Find the cache and the targets first: a misconfiguration must fail before the
      // write, not after it.
      const cache = resolve(this);
      const what = targets(this, args);
      if (before) {
        await invalidate(cache, what);
        return original.apply(this, args);
      }
      const result = await original.apply(this, args);
      await invalidate(cache, what);
      return result;
    };
    Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
    invalidators.set(wrapper, source);
    return wrapper;
  });
}

/** The `cache` option of each `@Invalidates` method, by its wrapper. */
const invalidators = new WeakMap<Function, CacheSource | undefined>();

/** @internal Whether `fn` is an `@Invalidates` method, and the cache it names, if any. */
export function invalidatesCacheOf(fn: unknown): { cache: CacheSource | undefined } | undefined {
  return typeof fn === 'function' && invalidators.has(fn) ? { cache: invalidators.get(fn) } : undefined;
}
