/**
 * A bounded LRU map with per-entry expiry and optional byte accounting.
 *
 * Entries live in parallel arrays addressed by slot index, linked in recency order by
 * two Uint32Arrays; a Map finds a key's slot. A hit is one Map lookup, one expiry check
 * and a few integer writes, with no allocation. The slot arrays start small and double
 * as the map fills, up to its maximum, so a large `max` costs nothing until it is used.
 */
export class Lru<V> {
  readonly #max: number;
  readonly #maxBytes: number;
  readonly #index = new Map<string, number>();
  // Not readonly: replaced by larger copies as the map grows (see #grow).
  #keys: Array<string | undefined>;
  #values: Array<V | undefined>;
  #next: Uint32Array;
  #prev: Uint32Array;
  /** Absent when the caller keeps expiry itself (see the constructor): 8 bytes per slot saved. */
  #expiresAt: Float64Array | undefined;
  #sizes: Uint32Array | undefined;
  readonly #free: number[] = [];
  #head = 0; // least recently used
  #tail = 0; // most recently used
  #used = 0; // slots handed out so far
  #bytes = 0;
  /** Told when a slot's entry leaves, so parallel columns kept by the caller can let go. */
  readonly #onRemove: ((slot: number) => void) | undefined;

  /**
   * `expiring: false` is for a caller that judges expiry itself and reads with
   * {@link findUnexpiring}: the LRU then keeps no expiry column, and `expiresAt` is ignored.
   */
  constructor(max: number, maxBytes: number, onRemove?: (slot: number) => void, expiring = true) {
    this.#onRemove = onRemove;
    this.#max = Math.min(max, MAX_SLOTS);
    this.#maxBytes = maxBytes;
    const capacity = Math.min(this.#max, INITIAL_SLOTS);
    this.#keys = new Array<string | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#next = new Uint32Array(capacity);
    this.#prev = new Uint32Array(capacity);
    this.#expiresAt = expiring ? new Float64Array(capacity) : undefined;
    this.#sizes = maxBytes > 0 ? new Uint32Array(capacity) : undefined;
  }

  /** Most entries held: the `max` given, or {@link MAX_SLOTS} if that is lower. */
  get max(): number {
    return this.#max;
  }

  /** Slots allocated now; parallel columns kept by the caller grow to match. */
  get capacity(): number {
    return this.#next.length;
  }

  get size(): number {
    return this.#index.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The live value under `key`, made most recently used; expired entries are removed. */
  get(key: string, now: number): V | undefined {
    const slot = this.find(key, now);
    return slot < 0 ? undefined : this.#values[slot];
  }

  /** The slot of `key`'s live entry, made most recently used, or -1. */
  find(key: string, now: number): number {
    const slot = this.#index.get(key);
    if (slot === undefined) return -1;
    if (this.#expiresAt !== undefined && this.#expiresAt[slot]! <= now) {
      this.#remove(slot);
      return -1;
    }
    this.#touch(slot);
    return slot;
  }

  /**
   * The slot of `key`'s entry, made most recently used, or -1, without reading its expiry:
   * for a caller that stores every entry with an infinite expiry (and judges expiry itself),
   * this saves a memory access per hit on a large map.
   */
  findUnexpiring(key: string): number {
    const slot = this.#index.get(key);
    if (slot === undefined) return -1;
    this.#touch(slot);
    return slot;
  }

  /** The value in a slot returned by {@link find} or {@link set}. */
  valueAt(slot: number): V {
    return this.#values[slot]!;
  }

  /**
   * Stores `value` until `expiresAt`; `size` counts toward `maxBytes` when that is set.
   * Returns the slot, or -1 when the value is larger than the whole byte budget.
   */
  set(key: string, value: V, expiresAt: number, size: number): number {
    if (this.#sizes !== undefined && !(size <= this.#maxBytes && size <= MAX_ENTRY_BYTES)) {
      // Larger than the whole budget (or than a slot can count): keep nothing rather than
      // evict everything.
      this.delete(key);
      return -1;
    }
    let slot = this.#index.get(key);
    if (slot === undefined) {
      slot = this.#allocate();
      this.#keys[slot] = key;
      this.#index.set(key, slot);
      this.#link(slot);
    } else {
      this.#touch(slot);
      if (this.#sizes !== undefined) this.#bytes -= this.#sizes[slot]!;
    }
    this.#values[slot] = value;
    if (this.#expiresAt !== undefined) this.#expiresAt[slot] = expiresAt;
    if (this.#sizes !== undefined) {
      this.#sizes[slot] = size;
      this.#bytes += size;
      while (this.#bytes > this.#maxBytes && this.#index.size > 1) this.#remove(this.#head);
    }
    return slot;
  }

  delete(key: string): boolean {
    const slot = this.#index.get(key);
    if (slot === undefined) return false;
    this.#remove(slot);
    return true;
  }

  clear(): void {
    if (this.#onRemove !== undefined) for (const slot of this.#index.values()) this.#onRemove(slot);
    this.#index.clear();
    // Back to the initial slot arrays: a cleared (closed) store gives its memory back.
    const capacity = Math.min(this.#max, INITIAL_SLOTS);
    this.#keys = new Array<string | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#next = new Uint32Array(capacity);
    this.#prev = new Uint32Array(capacity);
    if (this.#expiresAt !== undefined) this.#expiresAt = new Float64Array(capacity);
    if (this.#sizes !== undefined) this.#sizes = new Uint32Array(capacity);
    this.#free.length = 0;
    this.#used = 0;
    this.#bytes = 0;
  }

  #allocate(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#used < this.#max) {
      if (this.#used === this.#next.length) this.#grow();
      return this.#used++;
    }
    const oldest = this.#head;
    this.#remove(oldest);
    return this.#free.pop() ?? oldest;
  }

  /** Doubles the slot arrays (up to max): amortized O(1) per slot, nothing on a hit. */
  #grow(): void {
    const capacity = Math.min(this.#max, this.#next.length * 2);
    this.#keys = grownArray(this.#keys, capacity);
    this.#values = grownArray(this.#values, capacity);
    this.#next = grownTyped(this.#next, new Uint32Array(capacity));
    this.#prev = grownTyped(this.#prev, new Uint32Array(capacity));
    if (this.#expiresAt !== undefined) this.#expiresAt = grownTyped(this.#expiresAt, new Float64Array(capacity));
    if (this.#sizes !== undefined) this.#sizes = grownTyped(this.#sizes, new Uint32Array(capacity));
  }

  /** Appends a slot at the most-recent end. */
  #link(slot: number): void {
    if (this.#index.size === 1) {
      this.#head = slot;
    } else {
      this.#next[this.#tail] = slot;
      this.#prev[slot] = this.#tail;
    }
    this.#tail = slot;
  }

  #touch(slot: number): void {
    if (slot === this.#tail) return;
    if (slot === this.#head) this.#head = this.#next[slot]!;
    else {
      this.#next[this.#prev[slot]!] = this.#next[slot]!;
      this.#prev[this.#next[slot]!] = this.#prev[slot]!;
    }
    this.#next[this.#tail] = slot;
    this.#prev[slot] = this.#tail;
    this.#tail = slot;
  }

  #remove(slot: number): void {
    const key = this.#keys[slot];
    if (key === undefined) return;
    this.#index.delete(key);
    if (this.#index.size > 0) {
      if (slot === this.#head) this.#head = this.#next[slot]!;
      else if (slot === this.#tail) this.#tail = this.#prev[slot]!;
      else {
        this.#next[this.#prev[slot]!] = this.#next[slot]!;
        this.#prev[this.#next[slot]!] = this.#prev[slot]!;
      }
    }
    if (this.#sizes !== undefined) {
      this.#bytes -= this.#sizes[slot]!;
      this.#sizes[slot] = 0;
    }
    this.#keys[slot] = undefined;
    this.#values[slot] = undefined;
    this.#onRemove?.(slot);
    this.#free.push(slot);
  }
}

/**
 * Most entries an Lru holds, whatever `max` says: a JavaScript Map holds at most 2^24 keys
 * (V8 throws a RangeError past it), so the LRU evicts there instead.
 */
export const MAX_SLOTS = 2 ** 24;

/** Slots allocated when an Lru is created or cleared. */
export const INITIAL_SLOTS = 64;

/** Largest size one entry can count toward `maxBytes` (a Uint32Array cell); larger is refused. */
export const MAX_ENTRY_BYTES = 2 ** 32 - 1;

/** A copy of `array` with room for `capacity` items (the new cells hold undefined). */
export function grownArray<T>(array: Array<T | undefined>, capacity: number): Array<T | undefined> {
  const grown = new Array<T | undefined>(capacity).fill(undefined);
  for (let i = 0; i < array.length; i++) grown[i] = array[i];
  return grown;
}

/** `into`, holding `from`'s cells at its start. */
export function grownTyped<A extends Uint32Array | Float32Array | Float64Array>(from: A, into: A): A {
  into.set(from);
  return into;
}
