export { runStoreConformance } from './conformance.js';
export type { StoreUnderTest, ConformanceOptions } from './conformance.js';
export { fakeClock, deferred } from './fake-clock.js';
export type { FakeClock, Deferred } from './fake-clock.js';
