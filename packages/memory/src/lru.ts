/**
 * A bounded LRU map with per-entry expiry and optional byte accounting.
 *
 * Entries live in parallel arrays addressed by slot index, linked in recency order by
 * two Uint32Arrays; a Map finds a key's slot. A hit is one Map lookup, one expiry check
 * and a few integer writes, with no allocation. Slots are allocated up front.
 */
export class Lru<V> {
  readonly #max: number;
  readonly #maxBytes: number;
  readonly #index = new Map<string, number>();
  readonly #keys: Array<string | undefined>;
  readonly #values: Array<V | undefined>;
  readonly #next: Uint32Array;
  readonly #prev: Uint32Array;
  readonly #expiresAt: Float64Array;
  readonly #sizes: Uint32Array | undefined;
  readonly #free: number[] = [];
  #head = 0; // least recently used
  #tail = 0; // most recently used
  #used = 0; // slots handed out so far
  #bytes = 0;
  /** Told when a slot's entry leaves, so parallel columns kept by the caller can let go. */
  readonly #onRemove: ((slot: number) => void) | undefined;

  constructor(max: number, maxBytes: number, onRemove?: (slot: number) => void) {
    this.#onRemove = onRemove;
    this.#max = max;
    this.#maxBytes = maxBytes;
    this.#keys = new Array<string | undefined>(max).fill(undefined);
    this.#values = new Array<V | undefined>(max).fill(undefined);
    this.#next = new Uint32Array(max);
    this.#prev = new Uint32Array(max);
    this.#expiresAt = new Float64Array(max);
    this.#sizes = maxBytes > 0 ? new Uint32Array(max) : undefined;
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
    if (this.#expiresAt[slot]! <= now) {
      this.#remove(slot);
      return -1;
    }
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
    if (this.#sizes !== undefined && size > this.#maxBytes) {
      // Larger than the whole budget: keep nothing rather than evict everything.
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
    this.#expiresAt[slot] = expiresAt;
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
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#free.length = 0;
    this.#used = 0;
    this.#bytes = 0;
  }

  #allocate(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    if (this.#used < this.#max) return this.#used++;
    const oldest = this.#head;
    this.#remove(oldest);
    return this.#free.pop() ?? oldest;
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
