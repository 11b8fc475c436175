import 'reflect-metadata';
import { Cached, createCache, Invalidates, methodKey } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { describe, expect, it } from 'vitest';

describe('smoke', () => {
  it('caches a decorated method and invalidates by tag', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'smoke', setAsDefault: true });
    let calls = 0;
    class Repo {
      @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<{ id: number; n: number }> {
        calls++;
        return { id, n: calls };
      }
      @Invalidates({ tags: (id: number) => [`user:${id}`] })
      async rename(_id: number): Promise<void> {}
      @Invalidates({ keys: (id: number) => [methodKey(Repo, 'find', id)] })
      async drop(_id: number): Promise<void> {}
    }
    const repo = new Repo();
    expect(await repo.find(1)).toEqual({ id: 1, n: 1 });
    expect(await repo.find(1)).toEqual({ id: 1, n: 1 });
    await repo.rename(1);
    expect(await repo.find(1)).toEqual({ id: 1, n: 2 });
    await repo.drop(1);
    expect(await repo.find(1)).toEqual({ id: 1, n: 3 });
    expect(cache.stats().byMethod['Repo.find']).toMatchObject({ hits: 1, misses: 3 });
  });
});
