// The tiered store passes the conformance suite every store passes: over a byte L2 (a
// serializing memory store here; Redis in packages/redis), alone and with a bus.
import { tiered } from '@cachewise/core';
import { localBusHub, runStoreConformance } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';

runStoreConformance('tiered (memory L1, serializing memory L2, no bus)', ({ clock }) => ({
  store: tiered({ l1: memoryStore(), l2: memoryStore({ serialize: true }), bus: false, clock }),
}));

runStoreConformance('tiered (memory L1, live memory L2, a local bus)', ({ clock }) => ({
  store: tiered({ l1: memoryStore(), l2: memoryStore(), bus: localBusHub().bus(), clock }),
}));
