import type { CacheRecord } from './record.js';
import type { MaybePromise, StoreRead } from './store.js';

/** @internal Marks tiered stores, so createCache can refuse a `serializer` it would not use. */
export const TIERED = Symbol.for('cachewise.tiered');

/** @internal True for a store made by `tiered()`. */
export function isTiered(store: unknown): boolean {
  return typeof store === 'object' && store !== null && (store as { [TIERED]?: unknown })[TIERED] === true;
}

/**
 * @internal The two reads a tiered store offers a cache's call path besides `read`: the
 * call judges an L1 copy itself (one judgement a hit, not two) and asks L2 only when the
 * copy is not fresh.
 */
export interface TieredReads {
  /** L1's copy, unjudged, when L1 answers at once with one; else what {@link readBelow} answers. */
  readFirst(key: string, tags: readonly string[]): MaybePromise<StoreRead<CacheRecord>>;
  /** L2's answer, a fresh one copied into L1 (what `read` answers when L1 has no fresh copy). */
  readBelow(key: string, tags: readonly string[]): MaybePromise<StoreRead<CacheRecord>>;
}
