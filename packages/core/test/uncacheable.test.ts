import 'reflect-metadata';
import { Cached, createCache, createJsonSerializer, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

class User {
  constructor(readonly id: number) {}
}

let warnings: Error[] = [];
const onWarning = (warning: Error) => {
  if ((warning as { code?: string }).code === 'CACHEWISE_UNCACHEABLE') warnings.push(warning);
};
beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
  setDefaultCache(undefined);
});

/** Lets queued 'warning' events (emitted on the next tick) arrive. */
const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

describe('results a byte store cannot hold', () => {
  it('are returned, counted as uncacheable, emitted, and warned about once per method', async () => {
    const cache = createCache({ store: memoryStore({ serialize: true }), namespace: 'unc1', setAsDefault: true });
    const errors: string[] = [];
    cache.on('error', (event) => errors.push(event.kind));
    let queries = 0;
    class UserRepositoryA {
      @Cached() async findById(id: number) {
        queries++;
        return new User(id);
      }
    }
    const repo = new UserRepositoryA();
    for (let i = 0; i < 3; i++) expect(await repo.findById(1)).toBeInstanceOf(User);
    await nextTick();
    expect(queries).toBe(3); // never cached
    expect(cache.stats()).toMatchObject({ uncacheable: 3, hits: 0, misses: 3 });
    expect(cache.stats().byMethod['UserRepositoryA.findById']).toMatchObject({ uncacheable: 3 });
    expect(errors).toEqual(['serialize', 'serialize', 'serialize']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('UserRepositoryA.findById');
    expect(warnings[0]!.message).toContain('memory store');
    expect(warnings[0]!.message).toContain("createJsonSerializer({ classes: [{ name: 'User', type: User }] })");
    expect(warnings[0]!.name).toBe('CachewiseWarning');
  });

  it('memoryStore({ checkValues: true }) refuses them the same way, so the problem shows before production', async () => {
    const store = memoryStore({ checkValues: true });
    const cache = createCache({ store, namespace: 'unc2', setAsDefault: true });
    let queries = 0;
    class UserRepositoryB {
      @Cached() async findById(id: number) {
        queries++;
        return new User(id);
      }
      @Cached() async plain(id: number) {
        queries++;
        return { id };
      }
    }
    const repo = new UserRepositoryB();
    await repo.findById(1);
    await repo.findById(1);
    await nextTick();
    expect(queries).toBe(2);
    expect(cache.stats().uncacheable).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('UserRepositoryB.findById');
    expect(warnings[0]!.message).toContain('User');
    await repo.plain(1);
    await repo.plain(1);
    expect(queries).toBe(3); // plain data is cached as usual
  });

  it('an explicit set() of such a value rejects instead (the caller asked for the write)', async () => {
    const cache = createCache({ store: memoryStore({ serialize: true }), namespace: 'unc3' });
    await expect(cache.set('u', new User(1))).rejects.toMatchObject({ name: 'SerializationError' });
    await nextTick();
    expect(cache.stats().uncacheable).toBe(0);
    expect(warnings).toHaveLength(0);
  });

  it('are cached, as instances of the same class, once the class is registered on the serializer', async () => {
    const serializer = createJsonSerializer({ classes: [{ name: 'User', type: User }] });
    const cache = createCache({
      store: memoryStore({ serialize: true }),
      serializer,
      namespace: 'unc4',
      setAsDefault: true,
    });
    let queries = 0;
    class UserRepositoryC {
      @Cached() async findById(id: number) {
        queries++;
        return new User(id);
      }
    }
    const repo = new UserRepositoryC();
    await repo.findById(7);
    const again = await repo.findById(7);
    expect(queries).toBe(1);
    expect(again).toBeInstanceOf(User);
    expect(again.id).toBe(7);
    await nextTick();
    expect(cache.stats().uncacheable).toBe(0);
    expect(warnings).toHaveLength(0);
  });
});
