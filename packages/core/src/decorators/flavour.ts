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
 * A method decorator usable with legacy `experimentalDecorators` and with TC39 standard
 * decorators: the call's shape says which one is calling.
 */
export interface UniversalMethodDecorator {
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
  <T extends AnyMethod>(value: T, context: ClassMethodDecoratorContext): T;
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
export function methodDecorator(
  decorator: string,
  wrap: (original: AnyMethod, site: DecorationSite) => AnyMethod,
): UniversalMethodDecorator {
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
  return apply as UniversalMethodDecorator;
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
