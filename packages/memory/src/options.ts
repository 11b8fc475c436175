import { CacheOptionsError, type Clock, systemClock } from '@cachewise/core';
import { rejectUnknownOptions } from '@cachewise/core/store';
import { estimateSize } from './size.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most entries kept; the least recently used go first. Default 10,000. Memory is taken
   * as entries are added, not up front; at most 2^24 entries are held whatever this says.
   */
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
  /**
   * Size of a live value in bytes, for `maxBytes`: a number of 0 or more. Default: a rough
   * structural estimate that counts each reachable object once and gives up (the value is
   * not stored) past 1,000,000 values.
   */
  sizeOf?: (value: unknown) => number;
  /**
   * Most tags (and deleted keys) whose invalidation state is remembered. Past it, the
   * store forgets them all at once and treats every older entry as stale: safe, never
   * stale data, at the cost of a burst of misses. Default 100,000.
   */
  maxTags?: number;
  /** Source of time for expiry. Default the system clock. */
  clock?: Clock;
  /**
   * `true`: caches on this store refuse values a byte store could not round-trip (class
   * instances…), as Redis would. For tests and development, so the problem shows before
   * production. Default `false`.
   */
  checkValues?: boolean;
}

export interface ResolvedMemoryOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly serialize: boolean;
  readonly sizeOf: (value: unknown) => number;
  readonly maxTags: number;
  readonly clock: Clock;
  readonly checkValues: boolean;
}

const KNOWN: { [K in keyof Required<MemoryStoreOptions>]: true } = {
  maxEntries: true,
  maxBytes: true,
  serialize: true,
  sizeOf: true,
  maxTags: true,
  clock: true,
  checkValues: true,
};

function count(value: unknown, option: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new CacheOptionsError(
      `memoryStore: \`${option}\` must be a whole number from 1 to ${max}; got ${String(value)}`,
    );
  }
  return value;
}

export function resolveMemoryOptions(options: MemoryStoreOptions): ResolvedMemoryOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError('memoryStore: options must be an object');
  }
  rejectUnknownOptions('memoryStore', options, KNOWN);
  if (options.serialize !== undefined && typeof options.serialize !== 'boolean') {
    throw new CacheOptionsError(`memoryStore: \`serialize\` must be true or false; got ${String(options.serialize)}`);
  }
  if (options.checkValues !== undefined && typeof options.checkValues !== 'boolean') {
    throw new CacheOptionsError(
      `memoryStore: \`checkValues\` must be true or false; got ${String(options.checkValues)}`,
    );
  }
  if (options.sizeOf !== undefined && typeof options.sizeOf !== 'function') {
    throw new CacheOptionsError('memoryStore: `sizeOf` must be a function (value) => bytes');
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new CacheOptionsError('memoryStore: `clock` must have a now() function returning milliseconds');
  }
  const maxBytes = options.maxBytes === undefined ? 0 : count(options.maxBytes, 'maxBytes', 0, Number.MAX_SAFE_INTEGER);
  return {
    maxEntries: count(options.maxEntries, 'maxEntries', 10_000, 2 ** 31 - 1),
    maxBytes,
    serialize: options.serialize === true,
    // The estimate can stop as soon as a value cannot fit the budget (64: the entry's overhead).
    sizeOf: options.sizeOf ?? ((value: unknown) => estimateSize(value, maxBytes - 64)),
    maxTags: count(options.maxTags, 'maxTags', 100_000, 2 ** 31 - 1),
    clock: options.clock ?? systemClock,
    checkValues: options.checkValues === true,
  };
}
