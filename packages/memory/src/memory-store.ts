import {
  type ByteStore,
  type CacheRecord,
  type InvalidationMode,
  type LiveStore,
  type StoreRead,
  type TagState,
  UNTOUCHED_TAG,
  type WriteOptions,
} from '@cachewise/core/store';
import { MAX_SLOTS } from './lru.js';
import { type MemoryStoreOptions, type ResolvedMemoryOptions, resolveMemoryOptions } from './options.js';
import { ByteSlots, type PayloadSlots, RecordSlots } from './slots.js';

/**
 * The in-process store: a bounded LRU with TTL, O(1) tag invalidation by versions, and
 * key generations so that a load that began before a delete is not written after it.
 * Every method answers synchronously.
 */
class MemoryStore<P> {
  readonly name = 'memory';
  /** Whether caches on this store check that values would survive a byte store (option `checkValues`). */
  readonly checkValues: boolean;
  /** Most entries held (`maxEntries`, or the LRU's own bound if lower): caches size their key memos by it. */
  readonly capacity: number;
  readonly #options: ResolvedMemoryOptions;
  readonly #slots: PayloadSlots<P>;
  // Versions come from one counter, so a version is never reused, even after forgetting.
  #sequence = 0;
  readonly #tags = new Map<string, TagState>();
  #tagFloor: TagState = UNTOUCHED_TAG;
  readonly #generations = new Map<string, number>();
  #generationFloor = 0;

  constructor(
    readonly payload: P extends Uint8Array ? 'bytes' : 'live',
    options: ResolvedMemoryOptions,
    slots: PayloadSlots<P>,
  ) {
    this.#options = options;
    this.#slots = slots;
    this.checkValues = options.checkValues;
    this.capacity = Math.min(options.maxEntries, MAX_SLOTS);
  }

  /** Entries held now (expired ones are dropped lazily). */
  get size(): number {
    return this.#slots.size;
  }

  /** Approximate bytes held, when `maxBytes` is set. */
  get bytes(): number {
    return this.#slots.bytes;
  }

  read(key: string, tags: readonly string[]): StoreRead<P> {
    return {
      record: this.#slots.get(key),
      tags: this.readTags(tags),
      // Nothing deleted since the floor moved (the common case): no lookup.
      generation: this.#generations.size === 0 ? this.#generationFloor : this.#generationOf(key),
    };
  }

  readTags(tags: readonly string[]): readonly TagState[] {
    const known = this.#tags;
    const floor = this.#tagFloor;
    // No tag invalidated since the floor moved (the common case): every tag stands at the floor, no lookup.
    const none = known.size === 0;
    if (tags.length === 1) return [none ? floor : (known.get(tags[0]!) ?? floor)];
    const states = new Array<TagState>(tags.length);
    for (let i = 0; i < tags.length; i++) states[i] = none ? floor : (known.get(tags[i]!) ?? floor);
    return states;
  }

  #generationOf(key: string): number {
    return this.#generations.get(key) ?? this.#generationFloor;
  }

  /** Versions come from one counter: whatever moves after this gets at least the next number. */
  versionMark(): number {
    return this.#sequence + 1;
  }

  write(key: string, payload: P, options: WriteOptions): boolean {
    if (options.generation === undefined) {
      // An explicit set: move the generation on, so no older load can overwrite it.
      this.#moveGenerations([key]);
    } else if (options.generation !== this.#generationOf(key)) {
      return false;
    }
    this.#slots.put(key, payload, options.ttlMs);
    return true;
  }

  delete(keys: readonly string[]): void {
    for (const key of keys) this.#slots.delete(key);
    this.#moveGenerations(keys);
  }

  #moveGenerations(keys: readonly string[]): void {
    if (this.#generations.size + keys.length > this.#options.maxTags) {
      this.#generations.clear();
      this.#generationFloor = ++this.#sequence;
    }
    for (const key of keys) this.#generations.set(key, ++this.#sequence);
  }

  invalidateTags(tags: readonly string[], mode: InvalidationMode): void {
    if (this.#tags.size + tags.length > this.#options.maxTags) {
      // Forget every tag at once; entries that recorded an older version all turn stale.
      this.#tags.clear();
      const floor = ++this.#sequence;
      this.#tagFloor = { version: floor, hardVersion: floor };
    }
    for (const tag of tags) {
      const version = ++this.#sequence;
      const current = this.#tags.get(tag) ?? this.#tagFloor;
      this.#tags.set(tag, { version, hardVersion: mode === 'delete' ? version : current.hardVersion });
    }
  }

  /**
   * Empties the store. Versions never go backwards: the floors move past every version
   * handed out, so a load that began before the close has its write refused (its
   * generation is older) or judged stale (its tag versions are older), if the store is
   * used again.
   */
  close(): void {
    this.#slots.clear();
    this.#tags.clear();
    this.#generations.clear();
    const floor = ++this.#sequence;
    this.#tagFloor = { version: floor, hardVersion: floor };
    this.#generationFloor = floor;
  }
}

/** The live-value memory store. */
export type MemoryLiveStore = LiveStore & MemoryStoreProperties;
/** The serializing memory store. */
export type MemoryByteStore = ByteStore & MemoryStoreProperties;

/** What a memory store shows besides the Store contract. */
export interface MemoryStoreProperties {
  /** Entries held now, counting expired ones not yet removed. */
  readonly size: number;
  /** Bytes counted against `maxBytes`; 0 without it. */
  readonly bytes: number;
  /** The `checkValues` option: caches on this store refuse values a byte store could not round-trip. */
  readonly checkValues: boolean;
  /** Most entries held: `maxEntries` (at most 2^24, what one Map holds). */
  readonly capacity: number;
}

/**
 * A bounded in-process LRU store with TTL and tags, for one server (or as the first tier
 * of a tiered cache).
 *
 * By default it keeps values as they are: a hit costs no serialization, and returns the
 * very object that was cached, so a caller must not mutate it. With `serialize: true`
 * every hit decodes a fresh copy.
 *
 * @example
 * const cache = createCache({ store: memoryStore({ maxEntries: 10_000 }) });
 */
export function memoryStore(options?: MemoryStoreOptions & { serialize?: false }): MemoryLiveStore;
export function memoryStore(options: MemoryStoreOptions & { serialize: true }): MemoryByteStore;
export function memoryStore(options?: MemoryStoreOptions): MemoryLiveStore | MemoryByteStore;
export function memoryStore(options: MemoryStoreOptions = {}): MemoryLiveStore | MemoryByteStore {
  const resolved = resolveMemoryOptions(options);
  if (resolved.serialize) {
    return new MemoryStore<Uint8Array>('bytes', resolved, new ByteSlots(resolved));
  }
  return new MemoryStore<CacheRecord>('live', resolved, new RecordSlots(resolved));
}
