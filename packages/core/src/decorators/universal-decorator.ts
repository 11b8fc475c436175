import { CacheOptionsError } from '../errors.js';

/** Any method. Decorators accept methods of every signature. */
// biome-ignore lint/suspicious/noExplicitAny: decorators accept methods of every signature
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
type OptionFunction<O, Name extends string> = O extends { readonly [K in Name]?: infer F }
  ? Extract<F, (...args: never) => unknown>
  : never;

/** `unknown` when option `Name`'s function, if any, accepts what it is called with, `Call`. */
type FitsOption<O, Name extends string, Call extends (...args: never) => unknown, Message extends string> = [
  OptionFunction<O, Name>,
] extends [never]
  ? unknown
  : [OptionFunction<O, Name>] extends [Call]
    ? unknown
    : Refusal<Message>;

type FitsOptions<O, This, Args extends unknown[], Result> = FitsOption<
  O,
  'tags',
  (...args: Args) => unknown,
  ParametersMessage<'tags'>
> &
  FitsOption<O, 'key', (...args: Args) => unknown, ParametersMessage<'key'>> &
  FitsOption<O, 'condition', (...args: Args) => unknown, ParametersMessage<'condition'>> &
  FitsOption<O, 'keys', (...args: Args) => unknown, ParametersMessage<'keys'>> &
  FitsOption<
    O,
    'unless',
    (result: Result, ...args: Args) => unknown,
    "`unless` must accept (result, ...args): the method's awaited result, then its parameters"
  > &
  FitsOption<
    O,
    'ttl',
    (result: Result, ...args: Args) => unknown,
    "a `ttl` function must accept (result, ...args): the method's awaited result, then its parameters"
  > &
  FitsOption<
    O,
    'resultTags',
    (result: Result, ...args: Args) => unknown,
    "`resultTags` must accept (result, ...args): the method's awaited result, then its parameters"
  > &
  FitsOption<
    O,
    'cache',
    (instance: This) => unknown,
    '`cache` must accept the instance the method is called on (the class itself, for a static method)'
  >;

type ParametersMessage<Name extends string> = `\`${Name}\` must accept the parameters of the method it decorates`;

/**
 * `unknown` when a decorator with options `O` fits method `M` of `This`: `M` returns a
 * Promise (callers of a decorated method always get one), every option function accepts
 * the method's parameters (`unless`: its awaited result, then its parameters), and a
 * `cache` function accepts `This`. Otherwise an object type naming what is wrong, which
 * the descriptor or context cannot satisfy: a compile error with that name in it.
 */
export type FitsMethod<O, M, This> = M extends (...args: infer Args) => infer R
  ? [R] extends [PromiseLike<unknown>]
    ? FitsOptions<O, This, Args, Awaited<R>>
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
  <This extends object, M extends AnyMethod>(
    target: This,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<M> & FitsMethod<O, M, This>,
  ): void;
  /** TC39 standard decorators. */
  // biome-ignore lint/suspicious/noExplicitAny: decorators accept methods of every signature
  <This, M extends (this: This, ...args: any) => any>(
    value: M,
    context: ClassMethodDecoratorContext<This, M> & FitsMethod<O, M, This>,
  ): M;
}

/** A class decorator usable with both decorator flavours. */
export type UniversalClassDecorator = <T extends Function>(target: T, context?: ClassDecoratorContext) => void;

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
    if (descriptor?.value === method)
      return isStatic ? (holder as Function) : (holder as { constructor: Function }).constructor;
    holder = Object.getPrototypeOf(holder);
  }
  return undefined;
}
