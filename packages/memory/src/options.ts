import { CacheOptionsError, systemClock, type Clock } from '@cachewise/core';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept; the least recently used go first. Default 10,000. */
  maxEntries?: number;
  /**
   * Approximate byte budget. With live values each entry's size is estimated (see
   * `sizeOf`); with `serialize: true` it is the payload's length. Default: no byte limit.
   */
  maxBytes?: number;
  /**
   * `false` (default): keep values as they are, with no serialization on a hit. A caller
   * that mutates a returned object mutates the cached one. `true`: keep serialized bytes,
   * so every hit returns a fresh copy (and values must be serializable).
   */
  serialize?: boolean;
  /** Size of a live value in bytes, for `maxBytes`. Default: a rough structural estimate. */
  sizeOf?: (value: unknown) => number;
  /**
   * Most tags (and deleted keys) whose invalidation state is remembered. Past it, the
   * store forgets them all at once and treats every older entry as stale: safe, never
   * stale data, at the cost of a burst of misses. Default 100,000.
   */
  maxTags?: number;
  /** Source of time for expiry. Default the system clock. */
  clock?: Clock;
}

export interface ResolvedMemoryOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly serialize: boolean;
  readonly sizeOf: (value: unknown) => number;
  readonly maxTags: number;
  readonly clock: Clock;
}

const KNOWN: { [K in keyof Required<MemoryStoreOptions>]: true } = {
  maxEntries: true, maxBytes: true, serialize: true, sizeOf: true, maxTags: true, clock: true,
};

function count(value: unknown, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new CacheOptionsError(`memoryStore: \`${option}\` must be a whole number from 1 to ${max}; got ${String(value)}`);
  }
  return value;
}

export function resolveMemoryOptions(options: MemoryStoreOptions): ResolvedMemoryOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError('memoryStore: options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!Object.prototype.hasOwnProperty.call(KNOWN, key)) {
      throw new CacheOptionsError(`memoryStore: unknown option '${key}'. Known options: ${Object.keys(KNOWN).join(', ')}`);
    }
  }
  if (options.serialize !== undefined && typeof options.serialize !== 'boolean') {
    throw new CacheOptionsError(`memoryStore: \`serialize\` must be true or false; got ${String(options.serialize)}`);
  }
  if (options.sizeOf !== undefined && typeof options.sizeOf !== 'function') {
    throw new CacheOptionsError('memoryStore: `sizeOf` must be a function (value) => bytes');
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new CacheOptionsError('memoryStore: `clock` must have a now() function returning milliseconds');
  }
  return {
    maxEntries: count(options.maxEntries, 'maxEntries', 10_000, 2 ** 31 - 1),
    maxBytes: options.maxBytes === undefined ? 0 : count(options.maxBytes, 'maxBytes', 0, Number.MAX_SAFE_INTEGER),
    serialize: options.serialize === true,
    sizeOf: options.sizeOf ?? estimateSize,
    maxTags: count(options.maxTags, 'maxTags', 100_000, 2 ** 31 - 1),
    clock: options.clock ?? systemClock,
  };
}

/** A rough size in bytes of a live value: enough to bound memory, not a measurement. */
export function estimateSize(value: unknown, depth = 0): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16;
    case 'object': {
      if (value === null) return 8;
      if (depth > 8) return 64;
      if (ArrayBuffer.isView(value)) return 64 + value.byteLength;
      let size = 32;
      if (Array.isArray(value)) for (const item of value) size += 8 + estimateSize(item, depth + 1);
      else if (value instanceof Map) for (const [k, v] of value) size += 16 + estimateSize(k, depth + 1) + estimateSize(v, depth + 1);
      else if (value instanceof Set) for (const item of value) size += 16 + estimateSize(item, depth + 1);
      else for (const key in value) size += 8 + key.length * 2 + estimateSize((value as Record<string, unknown>)[key], depth + 1);
      return size;
    }
    default:
      return 16;
  }
}
