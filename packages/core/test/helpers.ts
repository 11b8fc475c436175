// Test helpers shared by the core unit tests: fake time, manual promises and a store
// wrapper that fails on demand. No decorators here, so both decorator folders can import it.
import type { Store } from '@cachewise/core';
import type { CacheRecord, StoreRead, TagState, WriteOptions } from '@cachewise/core/store';
import { memoryStore } from '@cachewise/memory';

export type { Deferred, FakeClock as TestClock } from '@cachewise/core/testing';
// Fake time and manual promises come from the exported testing kit, as users get them.
export { deferred, fakeClock as testClock } from '@cachewise/core/testing';

/** Lets queued microtasks and promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export type FailMode = 'ok' | 'throw' | 'reject';

/** Which operations of a {@link FlakyStore} fail, and how. */
export interface FailSwitches {
  read: FailMode;
  readTags: FailMode;
  write: FailMode;
}

export type FlakyStore = Store & { readonly fail: FailSwitches; readonly inner: Store };

/**
 * A Store around `memoryStore()` whose read, readTags and write fail on demand, either
 * synchronously (`'throw'`) or with a rejected promise (`'reject'`).
 */
export function flakyStore(options: { serialize?: boolean } = {}): FlakyStore {
  const inner: Store = options.serialize === true ? memoryStore({ serialize: true }) : memoryStore();
  const fail: FailSwitches = { read: 'ok', readTags: 'ok', write: 'ok' };
  function guard<T>(op: keyof FailSwitches, run: () => T): T | Promise<T> {
    const mode = fail[op];
    if (mode === 'throw') throw new Error(`${op} failed (sync)`);
    if (mode === 'reject') return Promise.reject(new Error(`${op} failed (async)`));
    return run();
  }
  const store = {
    name: 'flaky',
    payload: inner.payload,
    fail,
    inner,
    read: (key: string, tags: readonly string[]) => guard('read', () => inner.read(key, tags)),
    readTags: (tags: readonly string[]) => guard('readTags', () => inner.readTags(tags)),
    write: (key: string, payload: never, opts: WriteOptions) => guard('write', () => inner.write(key, payload, opts)),
    delete: (keys: readonly string[]) => inner.delete(keys),
    invalidateTags: (tags: readonly string[], mode: 'delete' | 'expire') => inner.invalidateTags(tags, mode),
    close: () => inner.close(),
  };
  return store as unknown as FlakyStore;
}

export type { CacheRecord, StoreRead, TagState };
