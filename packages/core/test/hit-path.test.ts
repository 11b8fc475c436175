import 'reflect-metadata';
import { type Cache, Cached, createCache, getDefaultCache, methodKey, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BuiltKeys, HotKeys, KeyMemo, MAX_MEMO_KEY_LENGTH, MemoBudget, REST_FACTOR, userKeys } from '../src/keys.js';

// What the hit path keeps between calls (memos of built keys, shared version arrays) is
// bounded and never changes which entry a call reads. The speed itself is measured by
// bench/ (docs/benchmarks.md), never here.

/** A repository whose `find(id)` is cached with the tag `user:<id>`, counting its loads and its tags function's calls. */
function countingTaggedRepo() {
  const counts = { loads: 0, tagCalls: 0 };
  class Repo {
    @Cached({
      tags: (id: number) => {
        counts.tagCalls++;
        return [`user:${id}`];
      },
    })
    async find(id: number): Promise<number> {
      counts.loads++;
      return id;
    }
  }
  return { Repo, repo: new Repo(), counts };
}

describe('KeyMemo', () => {
  it('holds 4,096 keys by default and rests for 32,768 lookups (docs/benchmarks.md)', () => {
    expect(new KeyMemo().limit).toBe(4_096);
    expect(new KeyMemo().limit * REST_FACTOR).toBe(32_768);
    expect(MAX_MEMO_KEY_LENGTH).toBe(128);
  });

  it('holds at most `limit` keys', () => {
    const memo = new KeyMemo<number>(8);
    for (let i = 0; i < 100; i++) {
      if (memo.get(i % 20) === undefined) memo.set(i % 20, `k${i % 20}`);
      expect(memo.size).toBeLessThanOrEqual(8);
    }
  });

  it('keeps a working set that fits, however long it is used', () => {
    const memo = new KeyMemo<number>(8);
    for (let i = 0; i < 8; i++) memo.set(i, `k${i}`);
    for (let round = 0; round < 100; round++) for (let i = 0; i < 8; i++) expect(memo.get(i)).toBe(`k${i}`);
    expect(memo.resting).toBe(false);
  });

  it('rests when a fill ends with fewer hits than keys, then tries again', () => {
    const memo = new KeyMemo<number>(4);
    // Five distinct keys in turn: the fifth finds the memo full after no hits.
    for (let i = 0; i < 5; i++) {
      expect(memo.get(i)).toBeUndefined();
      memo.set(i, `k${i}`);
    }
    expect(memo.resting).toBe(true);
    expect(memo.size).toBe(0);
    // While it rests, nothing is kept and nothing is found.
    memo.set(0, 'k0');
    expect(memo.size).toBe(0);
    for (let i = 0; i < 4 * REST_FACTOR; i++) expect(memo.get(0)).toBeUndefined();
    expect(memo.resting).toBe(false);
    memo.set(0, 'k0');
    expect(memo.get(0)).toBe('k0');
  });

  it('a fill that paid starts over without resting', () => {
    const memo = new KeyMemo<number>(2);
    memo.set(1, 'k1');
    memo.get(1);
    memo.get(1);
    memo.set(2, 'k2');
    memo.set(3, 'k3'); // full, with 2 hits for 2 keys
    expect(memo.resting).toBe(false);
    expect(memo.get(3)).toBe('k3');
  });
});

describe('KeyMemo with a budget', () => {
  it('grows into the budget when full, doubling while it lasts, and gives it back when it starts over', () => {
    const budget = new MemoBudget(10);
    const memo = new KeyMemo<number>(4, budget);
    for (let i = 0; i < 5; i++) memo.set(i, `k${i}`);
    expect([memo.size, memo.room, budget.left]).toEqual([5, 8, 6]);
    for (let i = 5; i < 9; i++) memo.set(i, `k${i}`);
    // Full at 8: it asks for 8 more and gets the 6 left.
    expect([memo.size, memo.room, budget.left]).toEqual([9, 14, 0]);
    for (let i = 9; i < 14; i++) memo.set(i, `k${i}`);
    for (let i = 0; i < 14; i++) expect(memo.get(i)).toBe(`k${i}`);
    // Full with the budget spent: the fill paid (14 hits), so it starts over at its limit.
    memo.set(14, 'k14');
    expect([memo.size, memo.room, budget.left, memo.resting]).toEqual([1, 4, 10, false]);
  });

  it('a fill past the budget that did not pay rests, with its room given back', () => {
    const budget = new MemoBudget(4);
    const memo = new KeyMemo<number>(4, budget);
    for (let i = 0; i < 9; i++) {
      expect(memo.get(i)).toBeUndefined();
      memo.set(i, `k${i}`);
    }
    expect([memo.size, memo.room, budget.left, memo.resting]).toEqual([0, 4, 4, true]);
  });

  it('keeps a working set the budget covers whole, so every later lookup is a hit', () => {
    const memo = new KeyMemo<number>(4, new MemoBudget(100));
    for (let i = 0; i < 50; i++) if (memo.get(i) === undefined) memo.set(i, `k${i}`);
    for (let round = 0; round < 3; round++) for (let i = 0; i < 50; i++) expect(memo.get(i)).toBe(`k${i}`);
    expect(memo.size).toBe(50);
  });

  it("shares the budget: one memo's room is not another's", () => {
    const budget = new MemoBudget(8);
    const first = new KeyMemo<number>(4, budget);
    const second = new KeyMemo<number>(4, budget);
    for (let i = 0; i < 12; i++) first.set(i, `k${i}`);
    expect([first.room, budget.left]).toEqual([12, 0]);
    for (let i = 0; i < 5; i++) second.set(i, `k${i}`);
    expect(second.room).toBe(4);
    expect(second.size).toBeLessThanOrEqual(4);
  });
});

describe('BuiltKeys', () => {
  it('answers what `build` answers, from the memo or not', () => {
    const keys = new BuiltKeys(userKeys('ns'), 4);
    const inputs = ['a', 'b', 'a\ud800', 'a\ufffd', 'c', 'd', 'e', 'a', 'x'.repeat(MAX_MEMO_KEY_LENGTH + 1)];
    for (let round = 0; round < 3; round++) {
      for (const input of inputs) expect(keys.of(input)).toBe(userKeys('ns')(input));
    }
    expect(keys.size).toBeLessThanOrEqual(4);
  });

  it('does not keep long strings', () => {
    const keys = new BuiltKeys(userKeys('ns'));
    keys.of('x'.repeat(MAX_MEMO_KEY_LENGTH + 1));
    expect(keys.size).toBe(0);
    keys.of('x'.repeat(MAX_MEMO_KEY_LENGTH));
    expect(keys.size).toBe(1);
  });
});

describe('HotKeys', () => {
  it('gives the same keys over a working set larger than its memo as over a small one', () => {
    const small = new HotKeys('ns:m:Repo.find:', { limit: 4 });
    const large = new HotKeys('ns:m:Repo.find:', { limit: 100_000 });
    for (let round = 0; round < 3; round++) {
      for (let id = 0; id < 50; id++) {
        expect(small.keyOf([id], 'find')).toBe(large.keyOf([id], 'find'));
        expect(small.keyOf([`s${id}`], 'find')).toBe(large.keyOf([`s${id}`], 'find'));
      }
    }
    expect(small.keyOf([-0], 'find')).not.toBe(small.keyOf([0], 'find'));
  });

  it("answers the guess set for the last call's argument, and none once it is unset or the argument is not kept", () => {
    const keys = new HotKeys('ns:m:Repo.find:', { limit: 4, guesses: true });
    const one = ['ns#', 'ns#user:1'];
    keys.keyOf([1], 'find');
    expect(keys.guess()).toBeUndefined();
    keys.setGuess(one);
    keys.keyOf([2], 'find');
    expect(keys.guess()).toBeUndefined();
    keys.keyOf([1], 'find');
    expect(keys.guess()).toBe(one);
    keys.setGuess(undefined);
    expect(keys.guess()).toBeUndefined();
    keys.keyOf([1], 'find');
    keys.setGuess(one);
    // Arguments the memos do not keep have no guess, and setting one for them is ignored.
    for (const args of [[{ id: 1 }], [1, 2], [1.5], ['x'.repeat(64)]]) {
      keys.keyOf(args, 'find');
      keys.setGuess(one);
      expect(keys.guess()).toBeUndefined();
    }
    keys.keyOf([1], 'find');
    expect(keys.guess()).toBe(one);
  });
});

describe('a cached method with a key function', () => {
  let cache: Cache;
  let loads: number;

  beforeEach(() => {
    cache = createCache({ store: memoryStore(), namespace: 'hp', jitter: 0, setAsDefault: true });
    loads = 0;
  });
  afterEach(() => setDefaultCache(undefined));

  it('reads its entries by the key over a working set larger than the memo', async () => {
    class Repo {
      @Cached({ key: (id: number) => `user:${id}` })
      async find(id: number): Promise<number> {
        loads++;
        return id * 2;
      }
    }
    const repo = new Repo();
    const ids = 5_000; // more than the memo's 4,096: it fills, rests and starts again
    for (let round = 0; round < 3; round++) {
      for (let id = 0; id < ids; id++) expect(await repo.find(id)).toBe(id * 2);
    }
    expect(loads).toBe(ids);
    expect(await cache.get('user:17')).toBe(34);
  });

  it('keeps lone surrogates apart from U+FFFD on every call, memo or not', async () => {
    class Repo {
      @Cached({ key: (text: string) => text })
      async echo(text: string): Promise<string> {
        loads++;
        return text;
      }
    }
    const repo = new Repo();
    for (let round = 0; round < 3; round++) {
      expect(await repo.echo('a\ud800')).toBe('a\ud800');
      expect(await repo.echo('a\ufffd')).toBe('a\ufffd');
    }
    expect(loads).toBe(2);
  });
});

describe('the hit path of a decorated method', () => {
  afterEach(() => setDefaultCache(undefined));

  it("does not read the class's name on every call", async () => {
    createCache({ store: memoryStore(), namespace: 'hp', setAsDefault: true });
    let nameReads = 0;
    class Repo {
      static get name(): string {
        nameReads++;
        return 'Repo';
      }

      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const repo = new Repo();
    await repo.find(1);
    const afterFirst = nameReads;
    for (let i = 0; i < 20; i++) await repo.find(1);
    expect(nameReads).toBe(afterFirst);
  });

  it('entries of a tags function share one versions array while their tags are untouched', async () => {
    const store = memoryStore();
    createCache({ store, namespace: 'hp', jitter: 0, setAsDefault: true });
    class Repo {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const repo = new Repo();
    for (let id = 0; id < 10; id++) await repo.find(id);
    const versions = [1, 2, 3].map(
      (id) => (store.read(`hp:m:Repo.find:n${id}`, []) as { record?: { versions: unknown } }).record?.versions,
    );
    expect(versions[0]).toBeDefined();
    expect(versions[1]).toBe(versions[0]);
    expect(versions[2]).toBe(versions[0]);
  });

  it('a call whose tags function gives one tag reads with the tag-id list its entry recorded', async () => {
    const store = memoryStore();
    const seen: (readonly string[])[] = [];
    const read = store.read.bind(store);
    Object.assign(store, {
      read: (key: string, tags: readonly string[]) => {
        seen.push(tags);
        return read(key, tags);
      },
    });
    createCache({ store, namespace: 'hp', jitter: 0, setAsDefault: true });
    let loads = 0;
    class Repo {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<number> {
        loads++;
        return id;
      }
    }
    const repo = new Repo();
    for (let i = 0; i < 3; i++) await repo.find(1);
    await repo.find(2);
    expect(loads).toBe(2);
    expect(seen[0]).toEqual(['hp#', 'hp#user:1']);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    // No tag known for 2 yet: the memory store answers at once, so the read names the
    // namespace's tag alone, and the load that follows writes the function's tags.
    expect(seen[3]).toEqual(['hp#']);
    expect((await getDefaultCache()!.getEntry(methodKey(Repo, 'find', 2)))?.tags).toEqual(['user:2']);
    await getDefaultCache()!.invalidateTags(['user:1']);
    expect(await repo.find(1)).toBe(1);
    expect(loads).toBe(3);
  });

  it('a tags function that gives another tag for the same argument is obeyed, not remembered by argument', async () => {
    createCache({ store: memoryStore(), namespace: 'hp', jitter: 0, setAsDefault: true });
    let tenant = 'a';
    let loads = 0;
    class Repo {
      @Cached({ tags: (id: number) => [`${tenant}:user:${id}`] })
      async find(id: number): Promise<string> {
        loads++;
        return `${tenant}${id}`;
      }
    }
    const repo = new Repo();
    const cache = getDefaultCache()!;
    await repo.find(1);
    await repo.find(1);
    expect(loads).toBe(1);
    await cache.invalidateTags(['a:user:1']);
    tenant = 'b';
    expect(await repo.find(1)).toBe('b1'); // a miss, written with b's tag
    expect(loads).toBe(2);
    expect((await cache.getEntry(methodKey(Repo, 'find', 1)))?.tags).toEqual(['b:user:1']);
    await cache.invalidateTags(['b:user:1']);
    await repo.find(1);
    expect(loads).toBe(3);
    // Strings as the argument too.
    class ByName {
      @Cached({ tags: (name: string) => [`${tenant}:name:${name}`] })
      async find(name: string): Promise<string> {
        loads++;
        return name;
      }
    }
    const byName = new ByName();
    await byName.find('x');
    tenant = 'c';
    await cache.invalidateTags(['b:name:x']);
    await byName.find('x'); // the entry's own tag was invalidated: a miss written with c's tag
    await cache.invalidateTags(['c:name:x']);
    const before = loads;
    await byName.find('x');
    expect(loads).toBe(before + 1);
  });

  it('a tags function that builds another key of its own method still tags the call it was called for', async () => {
    createCache({ store: memoryStore(), namespace: 'hp', jitter: 0, setAsDefault: true });
    const cache = getDefaultCache()!;
    let loads = 0;
    class Repo {
      @Cached({
        tags: (id: number) => {
          void cache.getEntry(methodKey(Repo, 'find', id + 1)); // builds find(id + 1)'s key meanwhile
          return [`user:${id}`];
        },
      })
      async find(id: number): Promise<number> {
        loads++;
        return id;
      }
    }
    const repo = new Repo();
    for (let round = 0; round < 3; round++) {
      await repo.find(1);
      await repo.find(2);
    }
    expect(loads).toBe(2);
    expect((await cache.getEntry(methodKey(Repo, 'find', 1)))?.tags).toEqual(['user:1']);
    expect((await cache.getEntry(methodKey(Repo, 'find', 2)))?.tags).toEqual(['user:2']);
    await cache.invalidateTags(['user:2']);
    await repo.find(1);
    expect(loads).toBe(2);
    await repo.find(2);
    expect(loads).toBe(3);
  });

  it('a hit does not call the tags function once it has run for that argument; a load does', async () => {
    createCache({ store: memoryStore(), namespace: 'hp', jitter: 0, setAsDefault: true });
    const cache = getDefaultCache()!;
    const { repo, counts } = countingTaggedRepo();
    await repo.find(1);
    expect([counts.loads, counts.tagCalls]).toEqual([1, 1]);
    for (let i = 0; i < 5; i++) expect(await repo.find(1)).toBe(1);
    expect([counts.loads, counts.tagCalls]).toEqual([1, 1]);
    await cache.invalidateTags(['user:1']);
    await repo.find(1); // a miss: the function runs for the entry it writes
    expect([counts.loads, counts.tagCalls]).toEqual([2, 2]);
  });

  it('a tags function that throws rejects a call that loads, not a hit', async () => {
    createCache({ store: memoryStore(), namespace: 'hp', jitter: 0, setAsDefault: true });
    const cache = getDefaultCache()!;
    let broken = false;
    class Repo {
      @Cached({
        tags: (id: number) => {
          if (broken) throw new Error('tags broke');
          return [`user:${id}`];
        },
      })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    const repo = new Repo();
    await repo.find(1);
    broken = true;
    expect(await repo.find(1)).toBe(1);
    await cache.invalidateTags(['user:1']);
    await expect(repo.find(1)).rejects.toThrow('tags broke');
    broken = false;
    expect(await repo.find(1)).toBe(1);
  });

  it("a background refresh writes with the tags function's answer of its time, not the guess", async () => {
    const clock = (await import('./helpers.js')).testClock();
    createCache({
      store: memoryStore({ clock }),
      clock,
      namespace: 'hp',
      jitter: 0,
      ttl: '1m',
      staleWhileRevalidate: '5m',
      setAsDefault: true,
    });
    const cache = getDefaultCache()!;
    let tenant = 'a';
    let loads = 0;
    class Repo {
      @Cached({ tags: (id: number) => [`${tenant}:user:${id}`] })
      async find(id: number): Promise<string> {
        loads++;
        return `${tenant}${id}`;
      }
    }
    const repo = new Repo();
    expect(await repo.find(1)).toBe('a1');
    tenant = 'b';
    clock.advance(60_000);
    expect(await repo.find(1)).toBe('a1'); // stale, refreshed in the background
    await new Promise((resolve) => setImmediate(resolve));
    expect(loads).toBe(2);
    expect((await cache.getEntry(methodKey(Repo, 'find', 1)))?.tags).toEqual(['b:user:1']);
    await cache.invalidateTags(['b:user:1']);
    expect(await repo.find(1)).toBe('b1');
    expect(loads).toBe(3);
  });

  it.each([
    ['a store that declares its capacity: the memos grow to hold them', memoryStore({ maxEntries: 20_000 })],
    [
      'a store that declares none: the memos rest',
      Object.assign(memoryStore({ maxEntries: 20_000 }), { capacity: undefined }),
    ],
  ])(
    'over more arguments than a memo holds at first (%s), hits still skip the tags function and invalidations still reach them',
    async (_, store) => {
      createCache({ store, namespace: 'hp', jitter: 0, setAsDefault: true });
      const cache = getDefaultCache()!;
      const { Repo, repo, counts } = countingTaggedRepo();
      const ids = 10_000; // more than a memo's first 4,096
      for (let id = 1; id <= ids; id++) await repo.find(id);
      expect(counts.loads).toBe(ids);
      // With a capacity, the memo of all 10,000 ids (each its key and guess) took room from the budget.
      expect(cache.memoBudget.total).toBe(store.capacity ?? 0);
      if (store.capacity !== undefined) expect(cache.memoBudget.left).toBeLessThanOrEqual(20_000 - (ids - 4_096));
      const callsAfterWarming = counts.tagCalls;
      for (let round = 0; round < 2; round++) for (let id = 1; id <= ids; id++) expect(await repo.find(id)).toBe(id);
      expect(counts.loads).toBe(ids);
      expect(counts.tagCalls).toBe(callsAfterWarming);
      await cache.invalidateTags(['user:7777']);
      for (let id = 1; id <= ids; id++) await repo.find(id);
      expect(counts.loads).toBe(ids + 1);
      expect((await cache.getEntry(methodKey(Repo, 'find', 7777)))?.tags).toEqual(['user:7777']);
    },
  );
});
