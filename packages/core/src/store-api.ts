/**
 * `@cachewise/core/store`: what a store author needs — the Store contract, the record a
 * live store keeps, and the option checks every cachewise package validates with.
 * Applications import from `@cachewise/core`; the conformance suite is in
 * `@cachewise/core/testing`.
 *
 * @example
 * import { UNTOUCHED_TAG, rejectUnknownOptions, type ByteStore, type TagState } from '@cachewise/core/store';
 */
export { UNTOUCHED_TAG } from './store.js';
export type {
  Store, LiveStore, ByteStore, StoreRead, StoreReporter, TagState, WriteOptions, InvalidationMode, MaybePromise,
} from './store.js';
export type { CacheRecord } from './record.js';
export { rejectUnknownOptions, describeValue } from './validate.js';
