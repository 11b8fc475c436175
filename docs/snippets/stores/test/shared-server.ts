// Compiled, not run: `myStore` stands for a store on a shared server.
import { runStoreConformance } from '@cachewise/core/testing';
import { mapStore } from '../src/map-store.js';

const myStore = (_options: { prefix: string }) => mapStore();

// #region shared-server
runStoreConformance('my store', async () => {
  const store = myStore({ prefix: `conformance-${crypto.randomUUID()}:` });
  return { store, cleanup: () => store.close() };
});
// #endregion shared-server
