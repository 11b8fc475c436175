/**
 * `@cachewise/core/store`: what a store author needs — the Store contract, the record a
 * live store keeps, and the option checks every cachewise package validates with.
 * Applications import from `@cachewise/core`; the conformance suite is in
 * `@cachewise/core/testing`.
 *
 * @example
 * import { UNTOUCHED_TAG, rejectUnknownOptions, type ByteStore, type TagState } from '@cachewise/core/store';
 */

export type { CacheRecord } from './record.js';
export type {
  ByteStore,
  InvalidationMode,
  LiveStore,
  MaybePromise,
  Store,
  StoreRead,
  StoreReporter,
  TagState,
  WriteOptions,
} from './store.js';
export { UNTOUCHED_TAG } from './store.js';
export { describeValue, isStore, rejectUnknownOptions } from './validate.js';
