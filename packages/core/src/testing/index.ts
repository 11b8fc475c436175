export type { ConformanceContext, ConformanceOptions, StoreUnderTest } from './conformance.js';
export { runStoreConformance } from './conformance.js';
export type { Deferred, FakeClock } from './fake-clock.js';
export { deferred, fakeClock } from './fake-clock.js';
export type { LocalBus, LocalBusHub } from './local-bus.js';
export { localBusHub } from './local-bus.js';
