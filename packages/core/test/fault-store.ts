// A store that answers with promises (as a remote store does) and, per operation, hangs
// (a promise that settles only when the test says), rejects or throws on demand; it
// records the operations it was asked for, in order.
import type { Store } from '@cachewise/core';
import type { InvalidationMode, WriteOptions } from '@cachewise/core/store';
import { memoryStore } from '@cachewise/memory';

export type FaultMode = 'ok' | 'hang' | 'reject' | 'throw';
export type FaultOp = 'read' | 'readTags' | 'write' | 'delete' | 'invalidateTags' | 'versionMark' | 'close';

export interface Hung {
  readonly op: FaultOp;
  /** Settles the hung promise with what the inner store answers now. */
  answer(): void;
  /** Settles it with a rejection. */
  fail(error?: Error): void;
}

export type FaultStore = Store & {
  /** Every operation: `ok` by default. `all()` sets all at once. */
  readonly mode: Record<FaultOp, FaultMode>;
  all(mode: FaultMode): void;
  /** Operations asked for, in order, e.g. `invalidateTags:delete:t1,t2`, `delete:k`, `read:k`. */
  readonly log: string[];
  /** Promises still hanging. */
  readonly hung: Hung[];
  readonly inner: Store;
};

/** `inner`: the store it fronts (default a new memoryStore()); two fault stores on one inner share data. */
export function faultStore(inner: Store = memoryStore()): FaultStore {
  const mode: Record<FaultOp, FaultMode> = {
    read: 'ok',
    readTags: 'ok',
    write: 'ok',
    delete: 'ok',
    invalidateTags: 'ok',
    versionMark: 'ok',
    close: 'ok',
  };
  const log: string[] = [];
  const hung: Hung[] = [];
  function run<T>(op: FaultOp, entry: string, answer: () => T): Promise<T> {
    log.push(entry);
    const how = mode[op];
    if (how === 'throw') throw new Error(`${op} failed (sync)`);
    if (how === 'reject') return Promise.reject(new Error(`${op} failed (async)`));
    if (how === 'ok') return Promise.resolve().then(answer);
    return new Promise<T>((resolve, reject) => {
      const item: Hung = {
        op,
        answer: () => {
          hung.splice(hung.indexOf(item), 1);
          try {
            resolve(answer());
          } catch (error) {
            reject(error);
          }
        },
        fail: (error = new Error(`${op} failed late`)) => {
          hung.splice(hung.indexOf(item), 1);
          reject(error);
        },
      };
      hung.push(item);
    });
  }
  const store = {
    name: 'fault',
    payload: inner.payload,
    mode,
    log,
    hung,
    inner,
    all(to: FaultMode) {
      for (const op of Object.keys(mode) as FaultOp[]) if (op !== 'close') mode[op] = to;
    },
    read: (key: string, tags: readonly string[]) => run('read', `read:${key}`, () => inner.read(key, tags)),
    readTags: (tags: readonly string[]) => run('readTags', `readTags:${tags}`, () => inner.readTags(tags)),
    versionMark: () => run('versionMark', 'versionMark', () => inner.versionMark!()),
    write: (key: string, payload: never, options: WriteOptions) =>
      run('write', `write:${key}`, () => inner.write(key, payload, options)),
    delete: (keys: readonly string[]) => run('delete', `delete:${keys}`, () => inner.delete(keys)),
    invalidateTags: (tags: readonly string[], how: InvalidationMode) =>
      run('invalidateTags', `invalidateTags:${how}:${tags}`, () => inner.invalidateTags(tags, how)),
    close: () => run('close', 'close', () => inner.close()),
  };
  return store as unknown as FaultStore;
}
