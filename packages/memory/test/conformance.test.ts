import { runStoreConformance } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';

runStoreConformance('memory (live values)', () => ({ store: memoryStore() }));
runStoreConformance('memory (serialize: true)', () => ({ store: memoryStore({ serialize: true }) }));
