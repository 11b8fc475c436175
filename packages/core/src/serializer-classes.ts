import { CacheOptionsError } from './errors.js';
import type { ClassRegistry, RegisteredClass } from './json-codec.js';
import { TYPED_ARRAY_CLASSES } from './typed-arrays.js';
import { describeValue } from './validate.js';

/**
 * A class whose instances a JSON serializer may write (see `createJsonSerializer`).
 *
 * - `name` is written into the payload and looked up on read: give each class a stable
 *   name (1 to 100 characters); renaming it makes entries already stored read as misses.
 * - `type` is the class. Only instances whose prototype is exactly `type.prototype` are
 *   written under `name`; an instance of a subclass is refused unless it is registered too.
 * - `toJSON(instance)` (optional) returns what to write instead of the instance's own
 *   enumerable properties; it may hold anything the serializer accepts.
 * - `revive(plain)` (optional) builds the instance from what was written. Without it, the
 *   instance is `Object.create(type.prototype)` with the written properties defined on it
 *   as data properties: no constructor, field initializer or setter runs.
 *
 * A class that extends a built-in whose contents are not own properties (Array, Map,
 * Set, Date, Error, RegExp, typed arrays, ...) needs both hooks.
 */
export interface SerializableClass<T extends object = object> {
  readonly name: string;
  readonly type: abstract new (...args: never[]) => T;
  readonly toJSON?: (instance: T) => unknown;
  readonly revive?: (plain: unknown) => NoInfer<T>;
}

const ENTRY_KEYS = ['name', 'type', 'toJSON', 'revive'];
const MAX_NAME_LENGTH = 100;

// The serializer writes these itself: registering them would change nothing, or break them.
const HANDLED: readonly unknown[] = [Object, Array, Map, Set, Date, Buffer, ...TYPED_ARRAY_CLASSES];
// Built-ins whose state lives in internal slots, which Object.create(prototype) cannot give.
const SLOTTED: readonly object[] = [
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  Error.prototype,
  Promise.prototype,
  WeakMap.prototype,
  WeakSet.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Object.getPrototypeOf(Int8Array.prototype) as object,
  Number.prototype,
  String.prototype,
  Boolean.prototype,
];

/** Validates `classes` and indexes them; throws `CacheOptionsError` naming the bad entry. */
export function registerClasses(classes: unknown): ClassRegistry {
  if (!Array.isArray(classes)) {
    throw new CacheOptionsError(
      `createJsonSerializer: \`classes\` must be an array of { name, type, toJSON?, revive? }; got ${describeValue(classes)}`,
    );
  }
  const byPrototype = new Map<object, RegisteredClass>();
  const byName = new Map<string, RegisteredClass>();
  const where = new Map<unknown, number>();
  classes.forEach((entry: unknown, i) => {
    const at = `createJsonSerializer: classes[${i}]`;
    if (typeof entry !== 'object' || entry === null) {
      throw new CacheOptionsError(
        `${at} must be an object { name, type, toJSON?, revive? }; got ${describeValue(entry)}`,
      );
    }
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.includes(key))
        throw new CacheOptionsError(`${at}: unknown key '${key}'. Known keys: ${ENTRY_KEYS.join(', ')}`);
    }
    const { name, type, toJSON, revive } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new CacheOptionsError(
        `${at}.name must be a string of 1 to ${MAX_NAME_LENGTH} characters; got ${describeValue(name)}`,
      );
    }
    const label = `${at} ('${name}')`;
    if (typeof type !== 'function' || typeof type.prototype !== 'object' || type.prototype === null) {
      throw new CacheOptionsError(
        `${label}.type must be a class (a function with a prototype); got ${describeValue(type)}`,
      );
    }
    if (HANDLED.includes(type)) {
      throw new CacheOptionsError(
        `${label}.type is ${type.name}, which the serializer already writes itself; remove it`,
      );
    }
    for (const [hook, value] of [
      ['toJSON', toJSON],
      ['revive', revive],
    ] as const) {
      if (value !== undefined && typeof value !== 'function') {
        throw new CacheOptionsError(`${label}.${hook} must be a function or left out; got ${describeValue(value)}`);
      }
    }
    const prototype = type.prototype as object;
    const builtIn = SLOTTED.find(
      (proto) => Object.prototype.isPrototypeOf.call(proto, prototype) || proto === prototype,
    );
    if (builtIn !== undefined && (toJSON === undefined || revive === undefined)) {
      const base = (builtIn as { constructor: { name: string } }).constructor.name;
      throw new CacheOptionsError(
        `${label} extends ${base}, whose contents are not own properties: give it both toJSON and revive`,
      );
    }
    const seenName = where.get(name);
    if (seenName !== undefined)
      throw new CacheOptionsError(`${label}: the name '${name}' is already used by classes[${seenName}]`);
    const seenType = where.get(type);
    if (seenType !== undefined)
      throw new CacheOptionsError(`${label}: this class is already registered as classes[${seenType}]`);
    where.set(name, i).set(type, i);
    const registered: RegisteredClass = {
      name,
      prototype,
      toJSON: toJSON as RegisteredClass['toJSON'],
      revive: revive as RegisteredClass['revive'],
    };
    byPrototype.set(prototype, registered);
    byName.set(name, registered);
  });
  return { byPrototype, byName };
}
