/**
 * Option and argument checks, in one place: every package validates with these, so a bad
 * value gets the same kind of message (the option, what would be valid, what was given)
 * wherever it is caught. Store packages reach them through `@cachewise/core/store`.
 */
import type { Cache } from './cache.js';
import { CacheOptionsError } from './errors.js';
import type { WhenUnreachable } from './invalidation-queue.js';
import type { InvalidationMode, Store } from './store.js';

/** A short, safe description of a bad option value for error messages (never the whole value). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return value.name ? `a function (${value.name})` : 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value !== 'object') return `a ${typeof value}`;
  // The class says more than "an object" when a client, a promise or a class is given by mistake.
  const type = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof type === 'string' && type !== '' && type !== 'Object' ? `an instance of ${type}` : 'an object';
}

/**
 * Whether `value` is a store: a `payload` kind and the methods of the Store contract.
 *
 * @example
 * if (!isStore(options.store)) throw new CacheOptionsError('myIntegration: `store` must be a store');
 */
export function isStore(value: unknown): value is Store {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Record<string, unknown>;
  return (
    (store.payload === 'live' || store.payload === 'bytes') &&
    ['read', 'readTags', 'write', 'delete', 'invalidateTags', 'close'].every((m) => typeof store[m] === 'function')
  );
}

/**
 * Refuses options a function does not know, naming them and the ones it does. `known` is
 * usually a mapped table over the options type, so a forgotten option is a type error.
 *
 * @example
 * const KNOWN: { [K in keyof Required<MyStoreOptions>]: true } = { url: true, prefix: true };
 * rejectUnknownOptions('myStore', options, KNOWN);
 */
export function rejectUnknownOptions(where: string, options: object, known: object): void {
  // for…in allocates no key array: `wrap` checks its options on every call.
  for (const key in options) {
    if (!Object.hasOwn(options, key)) continue;
    if (!Object.hasOwn(known, key)) {
      throw new CacheOptionsError(`${where}: unknown option '${key}'. Known options: ${Object.keys(known).join(', ')}`);
    }
  }
}

/** A static tag list given as an option: an array of non-empty strings, copied and frozen. */
export function checkTagList(value: unknown, option: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((tag) => typeof tag === 'string' && tag.length > 0)) {
    throw new CacheOptionsError(`${option} must be an array of non-empty strings; got ${describeValue(value)}`);
  }
  return Object.freeze([...value]);
}

/** An invalidation mode: `'delete'` (the default) or `'expire'`. */
export function checkMode(value: unknown, option: string): InvalidationMode {
  if (value === undefined) return 'delete';
  if (value !== 'delete' && value !== 'expire') {
    throw new CacheOptionsError(`${option} must be 'delete' or 'expire'; got ${describeValue(value)}`);
  }
  return value;
}

/** `whenUnreachable`: `'reject'` (the default) or `'queue'`. */
export function checkWhenUnreachable(value: unknown, option: string): WhenUnreachable {
  if (value === undefined) return 'reject';
  if (value !== 'reject' && value !== 'queue') {
    throw new CacheOptionsError(`${option} must be 'reject' or 'queue'; got ${describeValue(value)}`);
  }
  return value;
}

/** A Cache made by createCache(), told by its shape so that it holds across copies of the package. */
export function isCache(value: unknown): value is Cache {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Cache).call === 'function' &&
    typeof (value as Cache).wrap === 'function' &&
    typeof (value as Cache).invalidateTags === 'function'
  );
}
