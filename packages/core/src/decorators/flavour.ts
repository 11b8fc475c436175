import { CacheOptionsError } from '../errors.js';

/** Any method. Decorators accept methods of every signature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyMethod = (this: any, ...args: any[]) => any;

/** Where a method decorator was applied. */
export interface DecorationSite {
  /** `@Cached`, `@Invalidates`: for messages. */
  readonly decorator: string;
  readonly methodName: string;
  readonly isStatic: boolean;
  /** Legacy decorators know the class at decoration time; standard ones learn it on the first call. */
  readonly owner: Function | undefined;
  /** Legacy + reflect-metadata: the declared return type's constructor, if emitted. */
  readonly declaredReturnType: unknown;
}

/**
 * The options type of a decorator factory generic in its options `O`: `Shape` gives
 * unannotated callback parameters their contextual type (`any`), `O` keeps the option
 * functions' own types for {@link FitsMethod}, and every property `Shape` lacks is typed
 * `never`, since an object literal passed through a type parameter gets no
 * excess-property check and a misspelt option would otherwise compile.
 */
export type OnlyKnownOptions<O, Shape> = Shape & O & { readonly [K in Exclude<keyof O, keyof Shape>]: never };

/**
 * A compile error with a message: an object type whose one required property is the
 * message, so the compiler names it when the descriptor or context lacks it.
 */
type Refusal<Message extends string> = { readonly [K in Message]: never };

/** The function in option `Name` of `O`, if there is one (a list or nothing gives `never`). */
type OptionFunction<O, Name extends string> = O extends { readonly [K in Name]?: infer F } ? Extract<F, (...args: never) => unknown> : never;

/** `unknown` when option `Name`'s function, if any, accepts what it is called with. */
type FitsOption<O, Name extends string, Args extends unknown[], Result> = [OptionFunction<O, Name>] extends [never]
  ? unknown
  : Name extends 'unless'
    ? [OptionFunction<O, Name>] extends [(result: Result, ...args: Args) => unknown]
      ? unknown
      : Refusal<`\`unless\` must accept (result, ...args): the method's awaited result, then its parameters`>
    : [OptionFunction<O, Name>] extends [(...args: Args) => unknown]
      ? unknown
      : Refusal<`\`${Name}\` must accept the parameters of the method it decorates`>;

type FitsOptions<O, Args extends unknown[], Result> = FitsOption<O, 'tags', Args, Result> &
  FitsOption<O, 'key', Args, Result> &
  FitsOption<O, 'condition', Args, Result> &
  FitsOption<O, 'keys', Args, Result> &
  FitsOption<O, 'unless', Args, Result>;

/**
 * `unknown` when a decorator with option functions `O` fits method `M`: `M` returns a
 * Promise (callers of a decorated method always get one), and every option function
 * accepts the method's parameters (`unless`: its awaited result, then its parameters).
 * Otherwise an object type naming what is wrong, which the method cannot satisfy.
 */
export type FitsMethod<O, M> = M extends (...args: infer Args) => infer R
  ? [R] extends [PromiseLike<unknown>]
    ? FitsOptions<O, Args, Awaited<R>>
    : Refusal<'a decorated method must return a Promise: declare it async, or return Promise<T>'>
  : unknown;

/**
 * A method decorator usable with legacy `experimentalDecorators` and with TC39 standard
 * decorators: the call's shape says which one is calling. `O` holds the decorator's
 * option functions; the compiler checks them against the decorated method's parameters
 * and result, and checks that the method returns a Promise.
 */
export interface UniversalMethodDecorator<O = {}> {
  /** Legacy `experimentalDecorators`. */
  <M extends AnyMethod>(target: object, propertyKey: string | symbol, descriptor: TypedPropertyDescriptor<M> & FitsMethod<O, M>): void;
  /** TC39 standard decorators. */
  <This, M extends (this: This, ...args: any) => any>(value: M, context: ClassMethodDecoratorContext<This, M> & FitsMethod<O, M>): M;
}

/** A class decorator usable with both decorator flavours. */
export interface UniversalClassDecorator {
  <T extends Function>(target: T, context?: ClassDecoratorContext): void;
}

type MetadataReflect = { getMetadata?: (key: string, target: object, property: string | symbol) => unknown };

function methodName(key: string | symbol): string {
  return typeof key === 'symbol' ? (key.description ?? 'symbol') : key;
}

function isStandardContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

/** Builds a {@link UniversalMethodDecorator} from a function that wraps the original method. */
export function methodDecorator<O>(
  decorator: string,
  wrap: (original: AnyMethod, site: DecorationSite) => AnyMethod,
): UniversalMethodDecorator<O> {
  function apply(target: unknown, context: unknown, descriptor?: PropertyDescriptor): unknown {
    if (isStandardContext(context)) {
      if (context.kind !== 'method' || typeof target !== 'function') {
        throw new CacheOptionsError(`${decorator} can only decorate methods; it was put on a ${context.kind}`);
      }
      return wrap(target as AnyMethod, {
        decorator,
        methodName: methodName(context.name),
        isStatic: context.static,
        owner: undefined,
        declaredReturnType: undefined,
      });
    }
    const key = context as string | symbol;
    if (descriptor === undefined || typeof descriptor.value !== 'function') {
      throw new CacheOptionsError(`${decorator} can only decorate methods; '${methodName(key)}' is not a method`);
    }
    const isStatic = typeof target === 'function';
    const owner = (isStatic ? target : (target as { constructor: Function }).constructor) as Function;
    const getMetadata = (Reflect as MetadataReflect).getMetadata;
    const declaredReturnType = getMetadata?.('design:returntype', target as object, key);
    descriptor.value = wrap(descriptor.value as AnyMethod, {
      decorator,
      methodName: methodName(key),
      isStatic,
      owner,
      declaredReturnType,
    });
    return descriptor;
  }
  return apply as UniversalMethodDecorator<O>;
}

/**
 * Refuses, at decoration time, a method whose declared return type (emitted by
 * `emitDecoratorMetadata`) is known not to be a Promise. `Object` (unions, interfaces)
 * and missing metadata pass: they are checked on the first call instead.
 */
export function requireAsync(site: DecorationSite, owner: string): void {
  const type = site.declaredReturnType;
  if (typeof type === 'function' && type !== Promise && type !== Object) {
    throw new CacheOptionsError(
      `${site.decorator} on ${owner}.${site.methodName}: the method is declared to return ${type.name || 'a non-Promise'}, ` +
        'not a Promise. Cached and invalidating methods must be async, since callers always receive a Promise.',
    );
  }
}

/** Finds the class that declares `method` as an own property, starting from `self`. */
export function findOwner(self: unknown, method: Function, name: string, isStatic: boolean): Function | undefined {
  let holder: unknown = isStatic ? self : Object.getPrototypeOf(self);
  while (holder !== null && holder !== undefined) {
    const descriptor = Object.getOwnPropertyDescriptor(holder, name);
    if (descriptor?.value === method) return isStatic ? (holder as Function) : (holder as { constructor: Function }).constructor;
    holder = Object.getPrototypeOf(holder);
  }
  return undefined;
}
