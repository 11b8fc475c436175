// Tag versions and key generations, and the bound on how many of them the store
// remembers (maxTags): past it the store forgets them all at once, so old entries read as
// misses (safe) and new ones hit.

import { createCache, setDefaultCache } from '@cachewise/core';
import { UNTOUCHED_TAG } from '@cachewise/core/store';
import { afterEach, describe, expect, it } from 'vitest';
import { opts, record, syncStore } from './helpers.js';

afterEach(() => setDefaultCache(undefined));

describe('tag versions', () => {
  it('start untouched and move on with every invalidation', () => {
    const store = syncStore();
    expect(store.readTags(['t'])).toEqual([UNTOUCHED_TAG]);
    store.invalidateTags(['t'], 'delete');
    const [first] = store.readTags(['t']);
    expect(first!.version).toBeGreaterThan(0);
    expect(first!.hardVersion).toBe(first!.version);
    store.invalidateTags(['t'], 'delete');
    expect(store.readTags(['t'])[0]!.version).toBeGreaterThan(first!.version);
  });

  it("'expire' moves the version but not the hard version", () => {
    const store = syncStore();
    store.invalidateTags(['t'], 'delete');
    const [hard] = store.readTags(['t']);
    store.invalidateTags(['t'], 'expire');
    const [soft] = store.readTags(['t']);
    expect(soft!.version).toBeGreaterThan(hard!.version);
    expect(soft!.hardVersion).toBe(hard!.hardVersion);
  });

  it('read returns the states of the tags asked, in order', () => {
    const store = syncStore();
    store.invalidateTags(['b'], 'delete');
    const read = store.read('k', ['a', 'b', 'c']);
    expect(read.tags).toHaveLength(3);
    expect(read.tags[0]).toEqual(UNTOUCHED_TAG);
    expect(read.tags[1]!.version).toBeGreaterThan(0);
    expect(read.tags[2]).toEqual(UNTOUCHED_TAG);
  });
});

describe('key generations', () => {
  it('a delete moves the generation on, and a write with the old one is refused', () => {
    const store = syncStore();
    const before = store.read('k', []).generation;
    store.delete(['k']);
    const after = store.read('k', []).generation;
    expect(after).not.toBe(before);
    expect(store.write('k', record('stale'), opts(60_000, before))).toBe(false);
    expect(store.read('k', []).record).toBeUndefined();
    expect(store.write('k', record('fresh'), opts(60_000, after))).toBe(true);
    expect(store.write('k', record('any'), opts(60_000, undefined))).toBe(true);
  });

  it('deleting one key does not move another key’s generation', () => {
    const store = syncStore();
    const other = store.read('other', []).generation;
    store.delete(['k']);
    expect(store.write('other', record(1), opts(60_000, other))).toBe(true);
  });
});

describe('maxTags', () => {
  it('bounds the tags remembered: after overflow old entries miss, new ones hit', async () => {
    const store = syncStore({ maxTags: 3 });
    const cache = createCache({ store, namespace: 'mt', jitter: 0 });
    await cache.set('old', 'old', { tags: ['keep'] });
    expect(await cache.get('old')).toBe('old');

    // Four invalidations of unrelated tags overflow a budget of three.
    for (const tag of ['t1', 't2', 't3', 't4']) await cache.invalidateTags([tag]);
    expect(await cache.get('old')).toBeUndefined(); // forgotten state reads as a miss: safe

    await cache.set('new', 'new', { tags: ['keep'] });
    expect(await cache.get('new')).toBe('new');
    await cache.invalidateTags(['keep']);
    expect(await cache.get('new')).toBeUndefined(); // invalidation still works after the reset
  });

  it('after overflow, old entries are gone, not stale: never served even inside stale windows', async () => {
    const store = syncStore({ maxTags: 3 });
    const cache = createCache({ store, namespace: 'mt', jitter: 0, staleWhileRevalidate: '1h', staleIfError: '1h' });
    await cache.set('old', 'old', { tags: ['keep'] });
    await cache.set('other', 'other');
    await cache.invalidateTags(['keep'], { mode: 'expire' }); // stale, and servable as stale
    for (const tag of ['t1', 't2', 't3']) await cache.invalidateTags([tag]); // overflow
    expect(await cache.wrap('old', async () => 'reloaded', { tags: ['keep'] })).toBe('reloaded');
    await expect(cache.wrap('other', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(cache.stats().staleHits).toBe(0);
  });

  it('a load that began before the overflow is not served afterwards', async () => {
    const store = syncStore({ maxTags: 2 });
    const cache = createCache({ store, namespace: 'mt' });
    let release!: (value: string) => void;
    const inFlight = cache.wrap('k', () => new Promise<string>((resolve) => (release = resolve)), { tags: ['x'] });
    for (const tag of ['a', 'b', 'c']) await cache.invalidateTags([tag]);
    release('old');
    await inFlight;
    expect(await cache.get('k')).toBeUndefined();
  });

  it('bounds the deleted keys remembered: after overflow, a write with an old generation is refused', () => {
    const store = syncStore({ maxTags: 2 });
    const generation = store.read('k', []).generation;
    store.delete(['a']);
    store.delete(['b']);
    store.delete(['c']); // overflow: every generation is forgotten and the floor moves on
    expect(store.write('k', record('stale'), opts(60_000, generation))).toBe(false);
    const now = store.read('k', []).generation;
    expect(store.write('k', record('fresh'), opts(60_000, now))).toBe(true);
    expect(store.read('k', []).record?.value).toBe('fresh');
  });

  it('a delete racing a load is still honoured across the overflow, through the cache', async () => {
    const store = syncStore({ maxTags: 1 });
    const cache = createCache({ store, namespace: 'mt' });
    let release!: (value: string) => void;
    const inFlight = cache.wrap('k', () => new Promise<string>((resolve) => (release = resolve)));
    await cache.delete('k');
    await cache.delete('x', 'y');
    release('old');
    await inFlight;
    expect(await cache.getEntry('k')).toBeUndefined();
  });

  it('entries of untouched tags keep hitting while under the budget', async () => {
    const store = syncStore({ maxTags: 10 });
    const cache = createCache({ store, namespace: 'mt' });
    await cache.set('k', 1, { tags: ['a'] });
    for (const tag of ['t1', 't2', 't3']) await cache.invalidateTags([tag]);
    expect(await cache.get('k')).toBe(1);
  });
});

describe('close', () => {
  it('moves every tag and generation past any version handed out before', () => {
    const store = syncStore();
    store.invalidateTags(['a'], 'delete');
    store.delete(['k']);
    const before = [...store.readTags(['a', 'b']).map((state) => state.version), store.read('k', []).generation];
    store.close();
    const highest = Math.max(...before);
    for (const state of store.readTags(['a', 'b', 'never'])) {
      expect(state.version).toBeGreaterThan(highest);
      expect(state.hardVersion).toBeGreaterThan(highest);
    }
    expect(store.read('k', []).generation).toBeGreaterThan(highest);
    expect(store.read('other', []).generation).toBeGreaterThan(highest);
  });

  it('a load straddling an invalidation and a direct store.close() is judged stale', async () => {
    const store = syncStore();
    const cache = createCache({ store, namespace: 'cl' });
    let release!: (value: string) => void;
    const inFlight = cache.wrap('k', () => new Promise<string>((resolve) => (release = resolve)), { tags: ['x'] });
    await cache.invalidateTags(['x']);
    store.close();
    release('old');
    expect(await inFlight).toBe('old');
    expect(await cache.get('k')).toBeUndefined();
    await cache.set('k', 'new', { tags: ['x'] });
    expect(await cache.get('k')).toBe('new'); // the store still works after close
  });

  it('a load straddling a delete and a direct store.close() has its write refused', async () => {
    for (const serialize of [false, true] as const) {
      const store = serialize ? syncStore({ serialize }) : syncStore();
      const cache = createCache({ store, namespace: 'cl' });
      let release!: (value: string) => void;
      const inFlight = cache.wrap('k', () => new Promise<string>((resolve) => (release = resolve)));
      await cache.delete('k');
      store.close();
      release('old');
      await inFlight;
      expect(store.size).toBe(0);
      expect(await cache.get('k')).toBeUndefined();
    }
  });
});
