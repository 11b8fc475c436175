// CachewiseInterceptor and DI-resolved decorators in a real Nest application over real
// HTTP, on Express and on Fastify, on the memory store.
import { memoryStore } from '@cachewise/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachewiseModule } from '../src/index.js';
import { ADAPTERS, type Served, serve } from './app.js';
import { httpSuite } from './http-suite.js';

describe.each(ADAPTERS)('%s, memory store', (adapter) => {
  let served: Served;
  beforeAll(async () => {
    served = await serve(adapter, CachewiseModule.forRoot({ store: () => memoryStore(), namespace: 'e2e' }));
  });
  afterAll(async () => {
    await served?.close();
  });
  httpSuite(() => served);

  it('closes the cache with the application', async () => {
    const other = await serve(adapter, CachewiseModule.forRoot({ store: () => memoryStore() }));
    await other.close();
    expect(other.cache.closed).toBe(true);
  });
});
