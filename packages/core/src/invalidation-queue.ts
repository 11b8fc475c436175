// Invalidations that could not reach the store (an error, a timeout, the breaker open):
// kept in order, last one per key or tag, replayed when the store answers again. Until
// then, entries under a queued key or tag are neither served nor written (see Engine).
import type { InvalidationMode, Store } from './store.js';

/**
 * What an invalidation does when it cannot reach the store: `'reject'` (the default)
 * rejects its caller, who must know its write may still be visible elsewhere; `'queue'`
 * resolves once the invalidation is queued. Either way it is queued and replayed.
 */
export type WhenUnreachable = 'reject' | 'queue';

/** What became of the invalidation queue (the `queue` event). */
export type QueueOutcome = 'queued' | 'replayed' | 'overflowed' | 'dropped';

/** Most queued keys and tags; past it the queue becomes one clear() of the namespace. */
export const MAX_QUEUED_INVALIDATIONS = 10_000;
/** Most keys or tags sent in one replayed store call. */
const BATCH = 1_000;
/** Retries of a failed replay: 100 ms, doubling, at most 5 s apart. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

/** @internal What the queue tells its cache. */
export interface QueueHooks {
  changed(outcome: QueueOutcome, queued: number): void;
  failed(error: unknown): void;
  /** Milliseconds until the store may be called again (the breaker's cooldown), 0 when it may now. */
  waitMs(): number;
}

interface Batch {
  readonly kind: 'keys' | 'tags';
  readonly mode: InvalidationMode;
  /** Each id with the sequence number it was queued under. */
  readonly items: ReadonlyArray<readonly [string, number]>;
}

/** @internal The invalidation queue of one cache. */
export class InvalidationQueue {
  /** Queued keys plus queued tags: the call path reads this field and looks no further while it is 0. */
  size = 0;
  readonly #keys = new Map<string, number>();
  readonly #tags = new Map<string, { mode: InvalidationMode; seq: number }>();
  readonly #store: Store;
  readonly #namespaceTag: string;
  readonly #hooks: QueueHooks;
  #seq = 0;
  #replaying: Promise<boolean> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(store: Store, namespaceTag: string, hooks: QueueHooks) {
    this.#store = store;
    this.#namespaceTag = namespaceTag;
    this.#hooks = hooks;
  }

  /** True when the key, or one of the tags, has a queued invalidation (call only when size !== 0). */
  holds(key: string | undefined, tags: readonly string[]): boolean {
    if (key !== undefined && this.#keys.has(key)) return true;
    if (this.#tags.size === 0) return false;
    for (const tag of tags) if (this.#tags.has(tag)) return true;
    return false;
  }

  /** Queues deletes of `keys` (a later one of the same key replaces the earlier). */
  addKeys(keys: readonly string[]): void {
    if (this.#closed) return;
    for (const key of keys) {
      this.#keys.delete(key);
      this.#keys.set(key, this.#seq++);
    }
    this.#added();
  }

  /**
   * Queues invalidations of `tags`. A later one of a tag replaces the earlier and takes
   * its place in the order; its mode is `'delete'` if either was (an `'expire'` after a
   * `'delete'` must not bring the deleted entries back as stale).
   */
  addTags(tags: readonly string[], mode: InvalidationMode): void {
    if (this.#closed) return;
    for (const tag of tags) {
      const earlier = this.#tags.get(tag);
      this.#tags.delete(tag);
      this.#tags.set(tag, { mode: earlier?.mode === 'delete' ? 'delete' : mode, seq: this.#seq++ });
    }
    this.#added();
  }

  /** A later invalidation reached the store: what it covers need not be replayed. */
  reachedKeys(keys: readonly string[]): void {
    if (this.size === 0) return;
    for (const key of keys) this.#keys.delete(key);
    this.#resize();
  }

  reachedTags(tags: readonly string[], mode: InvalidationMode): void {
    if (this.size === 0) return;
    if (mode === 'delete' && tags.includes(this.#namespaceTag)) {
      // A clear() of the namespace covers every queued invalidation of it.
      this.#keys.clear();
      this.#tags.clear();
    } else {
      for (const tag of tags) if (mode === 'delete' || this.#tags.get(tag)?.mode === 'expire') this.#tags.delete(tag);
    }
    this.#resize();
  }

  /**
   * The store answered again: replay now (not inside the store call that told us), unless
   * a replay began less than 100 ms ago. A store that answers reads but refuses the
   * invalidations would otherwise be sent one replay per call; the retries take it from there.
   */
  storeIsBack(): void {
    if (this.size === 0 || this.#replaying !== undefined) return;
    if (performance.now() - this.#lastAttempt < FIRST_RETRY_MS) return;
    queueMicrotask(() => void this.replay());
  }

  /**
   * Sends the queued invalidations in order, in batches of consecutive ones of one kind;
   * stops at the first failure and retries later. Resolves true when the queue is empty.
   */
  replay(): Promise<boolean> {
    if (this.#replaying === undefined) this.#lastAttempt = performance.now();
    this.#replaying ??= this.#run().finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  /**
   * The cache is closing: one last replay, bounded by `timeoutMs`; what is still queued
   * after it is dropped (and said).
   */
  async close(timeoutMs: number): Promise<void> {
    clearTimeout(this.#timer);
    if (this.size !== 0 && this.#hooks.waitMs() === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.replay(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.#closed = true;
    clearTimeout(this.#timer);
    if (this.size !== 0) {
      this.#keys.clear();
      this.#tags.clear();
      this.size = 0;
      this.#hooks.changed('dropped', 0);
    }
  }

  async #run(): Promise<boolean> {
    while (this.size !== 0 && !this.#closed) {
      const batch = this.#nextBatch();
      const ids = batch.items.map(([id]) => id);
      try {
        if (batch.kind === 'keys') await this.#store.delete(ids);
        else await this.#store.invalidateTags(ids, batch.mode);
      } catch (error) {
        this.#hooks.failed(error);
        this.#retryLater();
        return false;
      }
      // Remove what was sent, unless queued again meanwhile (then it goes again, later).
      for (const [id, seq] of batch.items) {
        if (batch.kind === 'keys') {
          if (this.#keys.get(id) === seq) this.#keys.delete(id);
        } else if (this.#tags.get(id)?.seq === seq) this.#tags.delete(id);
      }
      this.#resize();
      if (this.size === 0) {
        this.#retryMs = FIRST_RETRY_MS;
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#hooks.changed('replayed', 0);
      }
    }
    return this.size === 0;
  }

  /** The oldest queued invalidation and those after it of the same kind (and mode). */
  #nextBatch(): Batch {
    const firstKey = this.#keys.entries().next();
    const firstTag = this.#tags.entries().next();
    const tagSeq = firstTag.done ? Number.POSITIVE_INFINITY : firstTag.value[1].seq;
    const keySeq = firstKey.done ? Number.POSITIVE_INFINITY : firstKey.value[1];
    const items: Array<readonly [string, number]> = [];
    if (keySeq < tagSeq) {
      for (const [key, seq] of this.#keys) {
        if (seq > tagSeq || items.length === BATCH) break;
        items.push([key, seq]);
      }
      return { kind: 'keys', mode: 'delete', items };
    }
    const mode = firstTag.done ? 'delete' : firstTag.value[1].mode;
    for (const [tag, entry] of this.#tags) {
      if (entry.seq > keySeq || entry.mode !== mode || items.length === BATCH) break;
      items.push([tag, entry.seq]);
    }
    return { kind: 'tags', mode, items };
  }

  #added(): void {
    this.#resize();
    if (this.size > MAX_QUEUED_INVALIDATIONS) {
      // Too many to remember one by one: one clear() of the namespace covers them all
      // (and, queued, it keeps every entry of the namespace from being served meanwhile).
      this.#keys.clear();
      this.#tags.clear();
      this.#tags.set(this.#namespaceTag, { mode: 'delete', seq: this.#seq++ });
      this.#resize();
      this.#hooks.changed('overflowed', this.size);
    } else {
      this.#hooks.changed('queued', this.size);
    }
    if (this.#replaying === undefined) this.#retryLater();
  }

  #retryLater(): void {
    if (this.#closed || this.size === 0) return;
    clearTimeout(this.#timer);
    const wait = this.#hooks.waitMs();
    // While the breaker is open the replay waits for its probe time; otherwise back off.
    const delay = wait > 0 ? wait + 1 : this.#retryMs;
    if (wait === 0) this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
    this.#timer = setTimeout(() => void this.replay(), delay);
    // A queue alone does not keep a process alive; close() makes one last attempt.
    this.#timer.unref?.();
  }

  #resize(): void {
    this.size = this.#keys.size + this.#tags.size;
  }
}
