import type { Clock } from '@cachewise/core';
import type { CacheRecord } from '@cachewise/core/store';
import { grownArray, grownTyped, Lru } from './lru.js';
import type { ResolvedMemoryOptions } from './options.js';

interface Stamp {
  readonly tags: readonly string[];
  readonly versions: readonly number[];
}

/** How the memory store keeps one kind of payload in its LRU. */
export interface PayloadSlots<P> {
  readonly size: number;
  readonly bytes: number;
  get(key: string): P | undefined;
  put(key: string, payload: P, ttlMs: number): void;
  delete(key: string): void;
  clear(): void;
}

/** Serialized payloads: opaque bytes, expired by the store's own clock. */
export class ByteSlots implements PayloadSlots<Uint8Array> {
  readonly #lru: Lru<Uint8Array>;
  readonly #clock: Clock;

  constructor(options: ResolvedMemoryOptions) {
    this.#lru = new Lru(options.maxEntries, options.maxBytes);
    this.#clock = options.clock;
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.bytes;
  }

  get(key: string): Uint8Array | undefined {
    return this.#lru.get(key, this.#clock.now());
  }

  put(key: string, payload: Uint8Array, ttlMs: number): void {
    this.#lru.set(key, payload, this.#clock.now() + ttlMs, payload.byteLength);
  }

  delete(key: string): void {
    this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
  }
}

/**
 * Live records, kept as columns rather than one object each: the value in the LRU, the
 * two timestamps in typed arrays (a double in an object costs a 16-byte box), tags and
 * versions as one reference to a stamp that every entry of a method usually shares. A read assembles
 * a small record object, which dies young.
 *
 * A live record carries its expiry, which the cache judges on every read, so these slots
 * do not read a clock: an expired entry stays until it is overwritten or evicted.
 */
export class RecordSlots implements PayloadSlots<CacheRecord> {
  readonly #lru: Lru<unknown>;
  // Columns parallel to the LRU's slots, grown with them (see #fit).
  #storedAt: Float64Array;
  #expiresAt: Float64Array;
  // Load times, for early refresh: milliseconds fit a float32 (4 bytes an entry, not 8).
  #delta: Float32Array;
  #stamps: Array<Stamp | undefined>;
  // Entries of one method usually share their tags and versions arrays: one stamp for all.
  readonly #sharedStamps = new WeakMap<readonly number[], Stamp>();
  readonly #sizeOf: ((value: unknown) => number) | undefined;

  constructor(options: ResolvedMemoryOptions) {
    // No expiry column in the LRU: the record's own expiresAt is the one the cache judges.
    this.#lru = new Lru(
      options.maxEntries,
      options.maxBytes,
      (slot) => {
        this.#stamps[slot] = undefined;
      },
      false,
    );
    const capacity = this.#lru.capacity;
    this.#storedAt = new Float64Array(capacity);
    this.#expiresAt = new Float64Array(capacity);
    this.#delta = new Float32Array(capacity);
    this.#stamps = new Array<Stamp | undefined>(capacity).fill(undefined);
    this.#sizeOf = options.maxBytes > 0 ? options.sizeOf : undefined;
  }

  get size(): number {
    return this.#lru.size;
  }

  get bytes(): number {
    return this.#lru.bytes;
  }

  get(key: string): CacheRecord | undefined {
    const slot = this.#lru.findUnexpiring(key);
    if (slot < 0) return undefined;
    const stamp = this.#stamps[slot]!;
    return {
      value: this.#lru.valueAt(slot),
      storedAt: this.#storedAt[slot]!,
      expiresAt: this.#expiresAt[slot]!,
      tags: stamp.tags,
      versions: stamp.versions,
      delta: this.#delta[slot]!,
    };
  }

  put(key: string, record: CacheRecord, _ttlMs: number): void {
    const size = this.#sizeOf === undefined ? 0 : sizeWithOverhead(this.#sizeOf(record.value));
    const slot = this.#lru.set(key, record.value, Number.POSITIVE_INFINITY, size); // expiry: see the constructor
    if (slot < 0) return;
    if (slot >= this.#storedAt.length) this.#fit();
    this.#storedAt[slot] = record.storedAt;
    this.#expiresAt[slot] = record.expiresAt;
    this.#delta[slot] = record.delta;
    this.#stamps[slot] = this.#stampOf(record.tags, record.versions);
  }

  #stampOf(tags: readonly string[], versions: readonly number[]): Stamp {
    const known = this.#sharedStamps.get(versions);
    if (known !== undefined && known.tags === tags) return known;
    const stamp: Stamp = { tags, versions };
    this.#sharedStamps.set(versions, stamp);
    return stamp;
  }

  /** Grows the columns to the LRU's capacity, which has just doubled. */
  #fit(): void {
    const capacity = this.#lru.capacity;
    this.#storedAt = grownTyped(this.#storedAt, new Float64Array(capacity));
    this.#expiresAt = grownTyped(this.#expiresAt, new Float64Array(capacity));
    this.#delta = grownTyped(this.#delta, new Float32Array(capacity));
    this.#stamps = grownArray(this.#stamps, capacity);
  }

  delete(key: string): void {
    this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
    // The LRU went back to its initial capacity: so do the columns.
    const capacity = this.#lru.capacity;
    this.#storedAt = new Float64Array(capacity);
    this.#expiresAt = new Float64Array(capacity);
    this.#delta = new Float32Array(capacity);
    this.#stamps = new Array<Stamp | undefined>(capacity).fill(undefined);
  }
}

/** An entry's size for `maxBytes`: `sizeOf`'s answer, checked, plus the entry's own overhead. */
function sizeWithOverhead(size: number): number {
  // NaN or a negative size would corrupt the byte count, and with it the bound.
  if (typeof size !== 'number' || !(size >= 0)) {
    throw new RangeError(`memoryStore: \`sizeOf\` must return a number of bytes, 0 or more; got ${String(size)}`);
  }
  return Math.ceil(size) + 64;
}
