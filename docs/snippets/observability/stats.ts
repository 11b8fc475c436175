import { cache } from '../getting-started/create-cache.js';

// #region stats
const stats = cache.stats();

// {
//   hits, misses, loads, loadErrors, storeErrors, storeTimeouts, storeFastFails, coalesced, uncacheable,
//   staleHits, staleRevalidating, staleOnError, staleOnLockTimeout, staleInvalidated,
//   refreshes, earlyRefreshes, refreshErrors,
//   locksAcquired, lockWaits, lockTimeouts, peerLoads, lockErrors,
//   hitRate, offloadRate, circuit, queuedInvalidations,
//   byMethod: { 'UserRepository.findById': { hits, misses, …, hitRate, offloadRate }, … },
//   advice?: string,
// }
// #endregion stats

export { stats };
