import type { CacheRecord, InvalidationMode, StoreRead, TagState, WriteOptions } from '@cachewise/core/store';
import { type MemoryByteStore, type MemoryLiveStore, type MemoryStoreOptions, memoryStore } from '@cachewise/memory';

export type { FakeClock as TestClock } from '@cachewise/core/testing';
export { fakeClock as testClock } from '@cachewise/core/testing';

/** A live record holding `value`, for writing to the store directly. */
export function record(value: unknown, tags: readonly string[] = [], versions: readonly number[] = []): CacheRecord {
  return { value, storedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER, tags, versions, delta: 0 };
}

/** Write options: a long TTL, unconditional unless a generation is given. */
export function opts(ttlMs = 3_600_000, generation?: number): WriteOptions {
  return { ttlMs, generation };
}

export const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

/**
 * The memory store answers every method synchronously (documented in memory-store.ts),
 * but its public type says MaybePromise, as the Store contract does. Tests that call it
 * directly use this view; `answersSynchronously` in lru.test.ts checks the claim.
 */
export interface SyncMemoryStore<P> {
  read(key: string, tags: readonly string[]): StoreRead<P>;
  readTags(tags: readonly string[]): readonly TagState[];
  write(key: string, payload: P, options: WriteOptions): boolean;
  delete(keys: readonly string[]): void;
  invalidateTags(tags: readonly string[], mode: InvalidationMode): void;
  close(): void;
}

export function syncStore(
  options?: Omit<MemoryStoreOptions, 'serialize'> & { serialize?: false },
): SyncMemoryStore<CacheRecord> & MemoryLiveStore;
export function syncStore(
  options: Omit<MemoryStoreOptions, 'serialize'> & { serialize: true },
): SyncMemoryStore<Uint8Array> & MemoryByteStore;
export function syncStore(options: MemoryStoreOptions = {}): unknown {
  return memoryStore(options);
}
