// #region conformance
// test/conformance.test.ts
import { runStoreConformance } from '@cachewise/core/testing';
import { mapStore } from '../src/map-store.js';

runStoreConformance('map store', () => ({ store: mapStore() }));
// #endregion conformance
