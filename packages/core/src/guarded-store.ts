// The store as a cache calls it: every operation that answers with a promise is bounded
// by `storeTimeout`, and the circuit breaker decides whether the store is called at all.
import type { Breaker } from './breaker.js';
import { StoreError } from './errors.js';
import type { StoreOperation, StoreTraceContext } from './events.js';
import type { CacheRecord } from './record.js';
import type { InvalidationMode, MaybePromise, Store, StoreRead, TagState, WriteOptions } from './store.js';
import { storesTraced, traceStore } from './store-trace.js';
import type { TieredReads } from './tiered-brand.js';

type Payload = CacheRecord | Uint8Array;

/** @internal Which read: the store's own, or a tiered store's first or lower one ({@link TieredReads}). */
export const READ = 0;
export const FIRST = 1;
export const BELOW = 2;
export type Which = typeof READ | typeof FIRST | typeof BELOW;

/**
 * @internal Wraps a store for one cache. A synchronous answer (the memory store) passes
 * through with two field reads and no allocation or timer; a promise is raced against one
 * timer. An answer that comes after its timeout is dropped (its rejection handled), so it
 * is never used and never becomes an unhandled rejection; it does not count as the store
 * coming back either, or a store slower than the timeout would close the breaker with
 * every late answer.
 */
export class GuardedStore {
  readonly name: string;
  readonly payload: Store['payload'];
  readonly checkValues: boolean | undefined;
  readonly maxTtlMs: number | undefined;
  readonly breaker: Breaker;
  readonly #inner: Store;
  readonly #timeoutMs: number;
  readonly #namespace: string;

  constructor(inner: Store, timeoutMs: number, breaker: Breaker, namespace: string) {
    this.#inner = inner;
    this.#namespace = namespace;
    this.#timeoutMs = timeoutMs;
    this.breaker = breaker;
    this.name = inner.name;
    this.payload = inner.payload;
    this.checkValues = inner.payload === 'live' ? inner.checkValues : undefined;
    this.maxTtlMs = inner.maxTtlMs;
  }

  /** This wrapper, typed as the store it wraps (it answers as that store does). */
  asStore(): Store {
    return this as unknown as Store;
  }

  read(key: string, tags: readonly string[]): MaybePromise<StoreRead<Payload>> {
    // (not through readAs: one call fewer on every hit)
    if (storesTraced()) return traceStore(this.#context('read', key), () => this.#read(key, tags, READ));
    return this.#read(key, tags, READ);
  }

  /** A read of the kind `which` (FIRST and BELOW only for a tiered store), guarded and traced as a read. */
  readAs(which: Which, key: string, tags: readonly string[]): MaybePromise<StoreRead<Payload>> {
    if (storesTraced()) return traceStore(this.#context('read', key), () => this.#read(key, tags, which));
    return this.#read(key, tags, which);
  }

  #read(key: string, tags: readonly string[], which: Which): MaybePromise<StoreRead<Payload>> {
    if (!this.breaker.admits()) throw this.#notSent('a read');
    let answer: MaybePromise<StoreRead<Payload>>;
    try {
      answer =
        which === READ
          ? this.#inner.read(key, tags)
          : which === FIRST
            ? (this.#inner as unknown as TieredReads).readFirst(key, tags)
            : (this.#inner as unknown as TieredReads).readBelow(key, tags);
    } catch (error) {
      this.breaker.failed();
      throw error;
    }
    this.readsAtOnce = !(answer instanceof Promise);
    return this.#answer(answer);
  }

  /**
   * Whether the last read answered synchronously (the memory store, a tiered store's L1
   * hit): then a read of more tags after it costs no round trip.
   */
  readsAtOnce = false;

  readTags(tags: readonly string[]): MaybePromise<readonly TagState[]> {
    if (storesTraced()) return traceStore(this.#context('readTags', undefined), () => this.#readTags(tags));
    return this.#readTags(tags);
  }

  #readTags(tags: readonly string[]): MaybePromise<readonly TagState[]> {
    if (!this.breaker.admits()) throw this.#notSent('a tag read');
    let answer: MaybePromise<readonly TagState[]>;
    try {
      answer = this.#inner.readTags(tags);
    } catch (error) {
      this.breaker.failed();
      throw error;
    }
    return this.#answer(answer);
  }

  versionMark(): MaybePromise<number> {
    return this.#call('a version mark', 'versionMark', undefined, () => this.#inner.versionMark!());
  }

  ready(): MaybePromise<void> {
    return this.#call('a readiness check', 'ready', undefined, () => this.#inner.ready?.());
  }

  write(key: string, payload: Payload, options: WriteOptions): MaybePromise<boolean> {
    return this.#call('a write', 'write', key, () =>
      (this.#inner.write as (k: string, p: Payload, o: WriteOptions) => MaybePromise<boolean>)(key, payload, options),
    );
  }

  delete(keys: readonly string[]): MaybePromise<void> {
    return this.#call('a delete', 'delete', undefined, () => this.#inner.delete(keys));
  }

  invalidateTags(tags: readonly string[], mode: InvalidationMode): MaybePromise<void> {
    return this.#call('a tag invalidation', 'invalidateTags', undefined, () => this.#inner.invalidateTags(tags, mode));
  }

  /** Operations off the hit path share this (it allocates a closure per call). */
  #call<T>(
    what: string,
    operation: StoreOperation,
    key: string | undefined,
    run: () => MaybePromise<T>,
  ): MaybePromise<T> {
    if (storesTraced()) return traceStore(this.#context(operation, key), () => this.#callNow(what, run));
    return this.#callNow(what, run);
  }

  /** What a tracer is told about an operation. */
  #context(operation: StoreOperation, key: string | undefined): StoreTraceContext {
    return key === undefined
      ? { namespace: this.#namespace, store: this.name, operation }
      : { namespace: this.#namespace, store: this.name, operation, key };
  }

  #callNow<T>(what: string, run: () => MaybePromise<T>): MaybePromise<T> {
    if (!this.breaker.admits()) throw this.#notSent(what);
    let answer: MaybePromise<T>;
    try {
      answer = run();
    } catch (error) {
      this.breaker.failed();
      throw error;
    }
    return this.#answer(answer);
  }

  #answer<T>(answer: MaybePromise<T>): MaybePromise<T> {
    if (answer instanceof Promise) return this.#bounded(answer);
    if (this.breaker.troubled) this.breaker.succeeded();
    return answer;
  }

  #bounded<T>(pending: Promise<T>): Promise<T> {
    const breaker = this.breaker;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        breaker.failed();
        reject(
          new StoreError(`${this.name} store: no answer within storeTimeout (${this.#timeoutMs} ms)`, {
            reason: 'timeout',
          }),
        );
      }, this.#timeoutMs);
      pending.then(
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (breaker.troubled) breaker.succeeded();
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          breaker.failed();
          reject(error);
        },
      );
    });
  }

  /**
   * The error of an operation the open breaker did not send. Made without a stack trace:
   * during an outage every call makes one, capturing a stack was half the cost of serving
   * a call, and the breaker's state, not a place in the code, is what it reports.
   */
  #notSent(what: string): StoreError {
    // One error per operation kind while the breaker stays open: nothing is added to it
    // per call (no event carries it), so the calls of an outage share it.
    const failures = this.breaker.failures;
    const known = this.#notSentErrors.get(what);
    if (known !== undefined && known.failures === failures) return known.error;
    const error = this.#makeNotSent(what);
    this.#notSentErrors.set(what, { failures, error });
    return error;
  }

  readonly #notSentErrors = new Map<string, { failures: number; error: StoreError }>();

  #makeNotSent(what: string): StoreError {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new StoreError(
        `${this.name} store: circuit breaker open after ${this.breaker.failures} failed operations in a row; ${what} was not sent`,
        { reason: 'circuit-open' },
      );
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/**
 * Closes a store (or a stampede protector) within `timeoutMs`: past it, the close goes on
 * in the background (its failure ignored) and this resolves, so `cache.close()` never
 * hangs on a dead store.
 */
export async function closeWithin(closable: { close?(): MaybePromise<void> }, timeoutMs: number): Promise<void> {
  const closing = closable.close?.();
  if (!(closing instanceof Promise)) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  closing.catch(() => {}); // a close that fails after the bound has no one left to tell
  try {
    await Promise.race([closing, late]);
  } finally {
    clearTimeout(timer);
  }
}
