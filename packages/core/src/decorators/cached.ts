// biome-ignore-all lint/suspicious/noExplicitAny: the defaults accept every method
import type { Cache, EntryRef } from '../cache.js';
import { type Duration, parseDuration } from '../duration.js';
import { CacheOptionsError } from '../errors.js';
import { type FreshnessOptions, NO_FRESHNESS, resolveFreshness } from '../freshness.js';
import { checkTagList, describeValue, rejectUnknownOptions } from '../validate.js';
import { type CacheSource, checkCacheSource } from './cache-config.js';
import { type CachedSpec, cachedWrapper, MethodRecord, recordOf } from './cached-method.js';
import {
  type AnyMethod,
  methodDecorator,
  type OnlyKnownOptions,
  requireAsync,
  type UniversalMethodDecorator,
} from './universal-decorator.js';

/**
 * Options of {@link Cached} and {@link cached}. `Args` and `Result` are the decorated
 * method's parameters and awaited result: with `@Cached` the compiler checks the option
 * functions against the method; with `cached(fn, options)` they come from `fn`.
 */
export interface CachedOptions<Args extends unknown[] = any[], Result = any> extends FreshnessOptions {
  /**
   * Time to live; default the class's `@CacheConfig` ttl, then the cache's. A function of
   * the result and the arguments sets it per value, e.g. a short TTL for `null`:
   * `ttl: (user) => (user === null ? '10s' : '5m')`.
   */
  ttl?: Duration | ((result: Result, ...args: Args) => Duration);
  /** Tags of the entry: a list, or a function of the call's arguments. */
  tags?: readonly string[] | ((...args: Args) => readonly string[]);
  /**
   * More tags, known once the result is loaded (a tag per item of a list), added to
   * `tags`: `resultTags: (users) => users.map((u) => \`user:${u.id}\`)`. A load that
   * began before one of these tags was invalidated is not cached as fresh (P2).
   */
  resultTags?: (result: Result, ...args: Args) => readonly string[];
  /**
   * The entry's key, from the arguments, in the same key space as `cache.get/set/delete`
   * and `@Invalidates({ keys })`. Default: `namespace:m:Class.method:<encoded args>`.
   */
  key?: (...args: Args) => string;
  /** The cache to use: a Cache, or a function of the instance (dependency injection). */
  cache?: CacheSource;
  /** Skip the cache entirely for calls where this returns false. */
  condition?: (...args: Args) => boolean;
  /** Do not store a result for which this returns true (it is still returned). */
  unless?: (result: Result, ...args: Args) => boolean;
}

/** Options of {@link cached}: those of `@Cached`, plus the name used in keys and stats. */
export interface CachedFunctionOptions<Args extends unknown[] = any[], Result = any>
  extends CachedOptions<Args, Result> {
  /** The function's name in keys and stats; default `fn.name`, which must then be non-empty. */
  name?: string;
}

const KNOWN: { [K in keyof Required<CachedFunctionOptions>]: true } = {
  ttl: true,
  tags: true,
  resultTags: true,
  key: true,
  cache: true,
  condition: true,
  unless: true,
  name: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  revalidate: true,
  earlyRefresh: true,
};

const { name: _name, ...METHOD_KNOWN } = KNOWN;

function fnOption<T extends Function>(value: unknown, option: string, shape: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw new CacheOptionsError(`${option} must be a function ${shape}; got ${describeValue(value)}`);
  return value as T;
}

/** Validates `@Cached`/`cached()` options up front. */
function toSpec(where: string, input: CachedFunctionOptions | Duration | undefined, allowName: boolean): CachedSpec {
  const options: CachedFunctionOptions =
    input === undefined ? {} : typeof input === 'number' || typeof input === 'string' ? { ttl: input } : input;
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(`${where}: options must be an object or a ttl; got ${describeValue(options)}`);
  }
  rejectUnknownOptions(where, options, allowName ? KNOWN : METHOD_KNOWN);
  const tags =
    typeof options.tags === 'function'
      ? (options.tags as CachedSpec['tags'])
      : checkTagList(options.tags, `${where}: \`tags\``);
  const unless = fnOption<(result: unknown, ...args: unknown[]) => boolean>(
    options.unless,
    `${where}: \`unless\``,
    '(result, ...args) => boolean',
  );
  const ttlOf = fnOption<(result: unknown, ...args: unknown[]) => unknown>(
    typeof options.ttl === 'function' ? options.ttl : undefined,
    `${where}: \`ttl\``,
    '(result, ...args) => Duration',
  );
  const resultTags = fnOption<(result: unknown, ...args: unknown[]) => readonly string[]>(
    options.resultTags,
    `${where}: \`resultTags\``,
    '(result, ...args) => string[]',
  );
  // Checked now, resolved against each cache's defaults when the method is first bound.
  resolveFreshness(options, where, NO_FRESHNESS);
  const { staleWhileRevalidate, staleIfError, earlyRefresh } = options;
  return {
    ttlMs:
      options.ttl === undefined || ttlOf !== undefined ? undefined : parseDuration(options.ttl, `${where}: \`ttl\``),
    ttlOf: ttlOf === undefined ? undefined : (value, args) => ttlOf(value, ...args),
    resultTags: resultTags === undefined ? undefined : (value, args) => resultTags(value, ...args),
    freshness: {
      ...(staleWhileRevalidate === undefined ? {} : { staleWhileRevalidate }),
      ...(staleIfError === undefined ? {} : { staleIfError }),
      ...(earlyRefresh === undefined ? {} : { earlyRefresh }),
    },
    tags,
    key: fnOption(options.key, `${where}: \`key\``, '(...args) => string'),
    cache: checkCacheSource(options.cache, `${where}: \`cache\``),
    condition: fnOption(options.condition, `${where}: \`condition\``, '(...args) => boolean'),
    unless: unless === undefined ? undefined : (value, args) => unless(value, ...args),
  };
}

/**
 * Caches an async method's results. Works with legacy `experimentalDecorators` and with
 * TC39 standard decorators. Keys include the class and method, so two classes never
 * share entries; concurrent callers of one cold key run the method once per process.
 *
 * @example
 * class UserRepository {
 *   @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
 *   async findById(id: number): Promise<User | null> { ... }
 * }
 */
export function Cached(ttl: Duration): UniversalMethodDecorator;
export function Cached<O extends CachedOptions = {}>(
  options?: OnlyKnownOptions<O, CachedOptions>,
): UniversalMethodDecorator<O>;
/** Options whose type is only known as a whole (a `CachedOptions | Duration` variable): the functions are not checked. */
export function Cached(options?: CachedOptions | Duration): UniversalMethodDecorator;
export function Cached(options?: CachedOptions | Duration): UniversalMethodDecorator<CachedOptions> {
  const spec = toSpec('@Cached', options, false);
  return methodDecorator('@Cached', (original, site) => {
    if (site.owner !== undefined) requireAsync(site, site.owner.name);
    const record = new MethodRecord('@Cached', site.methodName, site.isStatic, site.owner, spec, false);
    return cachedWrapper(record, original);
  });
}

/** A function wrapped by {@link cached}. */
export type CachedFunction<F extends (...args: any[]) => any> = ((
  ...args: Parameters<F>
) => Promise<Awaited<ReturnType<F>>>) & {
  /** Names this function's entry for `args`, for `cache.delete()` and `@Invalidates({ keys })`. */
  keyFor(...args: Parameters<F>): EntryRef;
};

/**
 * Caches a plain function, for code without classes.
 *
 * @example
 * const findUser = cached(async (id: number) => db.users.find(id), { name: 'findUser', ttl: '1m' });
 * await cache.delete(findUser.keyFor(42));
 */
export function cached<F extends (...args: any[]) => any>(
  fn: F,
  options: CachedFunctionOptions<Parameters<F>, Awaited<ReturnType<F>>> = {},
): CachedFunction<F> {
  if (typeof fn !== 'function')
    throw new CacheOptionsError(`cached: the first argument must be a function; got ${describeValue(fn)}`);
  const spec = toSpec('cached', options, true);
  const name = options.name ?? fn.name;
  // A plain function is its own owner.
  const record = new MethodRecord('cached()', name, false, fn, spec, true);
  record.label(fn, undefined); // validates the name now, not on the first call
  const wrapper = cachedWrapper(record, fn as AnyMethod) as CachedFunction<F>;
  wrapper.keyFor = (...args: Parameters<F>) => record.entryRef(fn, args);
  return wrapper;
}

/** Same as {@link cached}, bound to one cache. */
export function cachedIn<F extends (...args: any[]) => any>(
  cache: Cache,
  fn: F,
  options: Omit<CachedFunctionOptions<Parameters<F>, Awaited<ReturnType<F>>>, 'cache'> = {},
): CachedFunction<F> {
  return cached(fn, { ...options, cache });
}

type AnyFunction = (...args: any) => any;

/** The names of `T`'s methods: string keys whose values are functions. */
type MethodNames<T> = { [K in keyof T]-?: T[K] extends AnyFunction ? K : never }[keyof T] & string;

/** What {@link methodKey} accepts as a method name for class `C`: its instance and static methods. */
export type CachedMethodName<C extends abstract new (...args: any) => any> =
  | MethodNames<InstanceType<C>>
  | MethodNames<C>;

/**
 * The arguments {@link methodKey} takes for `C`'s method `M`: the instance method's
 * parameters, or the static method's when there is no instance method of that name
 * (the order in which methodKey looks them up).
 */
export type CachedMethodArgs<C extends abstract new (...args: any) => any, M extends string> =
  M extends MethodNames<InstanceType<C>>
    ? Parameters<InstanceType<C>[M]>
    : M extends keyof C
      ? C[M] extends AnyFunction
        ? Parameters<C[M]>
        : never
      : never;

/**
 * Names a `@Cached` method's entry by its arguments, without knowing the key format:
 * for `cache.delete()` and `@Invalidates({ keys })`.
 *
 * @example
 * @Invalidates({ keys: (id: number) => [methodKey(UserRepository, 'findById', id)] })
 */
export function methodKey<C extends abstract new (...args: any) => any, M extends CachedMethodName<C>>(
  cls: C,
  method: M,
  ...args: CachedMethodArgs<C, M>
): EntryRef;
export function methodKey(cls: Function, method: string, ...args: unknown[]): EntryRef {
  if (typeof cls !== 'function')
    throw new CacheOptionsError(`methodKey: the first argument must be a class; got ${describeValue(cls)}`);
  const onPrototype = (cls.prototype as Record<string, unknown> | undefined)?.[method];
  const fn = recordOf(onPrototype) ? onPrototype : (cls as unknown as Record<string, unknown>)[method];
  const record = recordOf(fn);
  if (record === undefined) {
    throw new CacheOptionsError(`methodKey: ${cls.name}.${method} is not a @Cached method`);
  }
  const owner = record.owner(record.isStatic ? cls : Object.create(cls.prototype as object), fn as Function);
  return record.entryRef(owner, args);
}
