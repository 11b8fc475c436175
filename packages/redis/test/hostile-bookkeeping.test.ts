// Data the store did not write, at the keys it keeps its bookkeeping in (a tag key holding
// garbage or a hash, a hash at a generation key, a hash at an entry key): every call
// still succeeds, the key is repaired, and the repair is reported. Reads are misses,
// never a throw at the caller.
import { type Cache, type CacheEventMap, createCache, isStoreError } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOUCH_TAGS } from '../src/scripts.js';
import { type RedisServer, startRedis } from './helpers/index.js';

let server: RedisServer;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis();
  admin = server.client();
});
afterAll(() => server?.stop());

interface Subject {
  cache: Cache;
  errors: Array<CacheEventMap['error']>;
  tagKey(tag: string): string;
  generationKey(key: string): string;
  entryKey(key: string): string;
}

function subject(): Subject {
  const prefix = server.newPrefix();
  const cache = createCache({
    store: redisStore({ client: server.client(), prefix }),
    namespace: 'h',
    setAsDefault: false,
  });
  const errors: Array<CacheEventMap['error']> = [];
  cache.on('error', (event) => errors.push(event));
  return {
    cache,
    errors,
    tagKey: (tag) => `${prefix}{${prefix}tags}:h#${tag}`,
    generationKey: (key) => `${prefix}{h:k:${key}}:g`,
    entryKey: (key) => `${prefix}{h:k:${key}}:e`,
  };
}

const TAG_SHAPE = /^\d+ \d+ \d+$/;
const repairs = (errors: Array<CacheEventMap['error']>, key: string) =>
  errors.filter((event) => isStoreError(event.error) && (event.error as Error).message.includes(`repaired ${key}`));

describe('a tag key holding data the store did not write', () => {
  for (const [what, plant] of [
    ['garbage', (key: string) => admin.set(key, 'not a version')],
    [
      'a hash',
      async (key: string) => {
        await admin.del(key);
        await admin.hset(key, 'a', '1');
      },
    ],
    ['a number too long', (key: string) => admin.set(key, `${'9'.repeat(30)} 1 1`)],
  ] as const) {
    it(`invalidates a tag holding ${what}: succeeds, repairs the key, reports it`, async () => {
      const { cache, errors, tagKey } = subject();
      await cache.set('k', 'OLD', { tags: ['t'] });
      await plant(tagKey('t'));
      await expect(cache.invalidateTags(['t'])).resolves.toBeUndefined();
      expect(await admin.get(tagKey('t'))).toMatch(TAG_SHAPE);
      expect(repairs(errors, tagKey('t'))).toHaveLength(1);
      expect(await cache.wrap('k', async () => 'NEW', { tags: ['t'] })).toBe('NEW');
    });

    it(`reads through a tag holding ${what} as stale, repairs it, reports it`, async () => {
      const { cache, errors, tagKey } = subject();
      await cache.wrap('k', async () => 'OLD', { tags: ['t'] });
      await plant(tagKey('t'));
      expect(await cache.wrap('k', async () => 'NEW', { tags: ['t'] })).toBe('NEW');
      expect(await cache.wrap('k', async () => 'NEWER', { tags: ['t'] })).toBe('NEW');
      expect(await admin.get(tagKey('t'))).toMatch(TAG_SHAPE);
      expect(repairs(errors, tagKey('t'))).toHaveLength(1);
    });
  }
});

describe('a generation key holding data the store did not write', () => {
  for (const [what, plant] of [
    [
      'a hash',
      async (key: string) => {
        await admin.del(key);
        await admin.hset(key, 'a', '1');
      },
    ],
    ['garbage', (key: string) => admin.set(key, 'x1')],
  ] as const) {
    it(`deletes a key whose generation holds ${what}: succeeds, repairs, reports`, async () => {
      const { cache, errors, generationKey } = subject();
      await cache.set('k', 'OLD');
      await plant(generationKey('k'));
      await expect(cache.delete('k')).resolves.toBeUndefined();
      expect(await admin.get(generationKey('k'))).toMatch(/^\d+$/);
      expect(repairs(errors, generationKey('k'))).toHaveLength(1);
      expect(await cache.get('k')).toBeUndefined();
    });

    it(`sets, and loads then hits, a key whose generation holds ${what}`, async () => {
      const { cache, errors, generationKey } = subject();
      await plant(generationKey('a'));
      await cache.set('a', 'SET');
      expect(await cache.get('a')).toBe('SET');
      await plant(generationKey('b'));
      expect(await cache.wrap('b', async () => 'LOADED')).toBe('LOADED');
      expect(await cache.wrap('b', async () => 'AGAIN')).toBe('LOADED');
      expect(repairs(errors, generationKey('a'))).toHaveLength(1);
      expect(repairs(errors, generationKey('b'))).toHaveLength(1);
    });
  }
});

describe('an entry key holding a hash', () => {
  it('reads as a miss, and the load overwrites it', async () => {
    const { cache, entryKey } = subject();
    await admin.hset(entryKey('k'), 'a', '1');
    expect(await cache.wrap('k', async () => 'LOADED')).toBe('LOADED');
    expect(await cache.wrap('k', async () => 'AGAIN')).toBe('LOADED');
  });
});

describe('tag keys in use', () => {
  it('renews the TTL of a tag read long after its TTL was set, keeping its version', async () => {
    const { cache, tagKey } = subject();
    await cache.wrap('k', async () => 'V', { tags: ['t'] });
    await admin.script('LOAD', TOUCH_TAGS.source); // so the renewal is one command, sent before the next
    const [version] = (await admin.get(tagKey('t')))!.split(' ');
    // As if its TTL was set two hours ago, with two hours left.
    await admin.set(tagKey('t'), `${version} ${version} ${Math.floor(Date.now() / 1000) - 7_200}`, 'PX', 7_200_000);
    const reader = server.client();
    const store = redisStore({ client: reader, prefix: tagKey('').slice(0, tagKey('').indexOf('{')) });
    const again = createCache({ store, namespace: 'h', setAsDefault: false });
    expect(await again.wrap('k', async () => 'other', { tags: ['t'] })).toBe('V');
    await reader.ping(); // the renewal left before this
    const [kept, , refreshed] = (await admin.get(tagKey('t')))!.split(' ');
    expect(kept).toBe(version);
    expect(Number(refreshed)).toBeGreaterThan(Math.floor(Date.now() / 1000) - 60);
    expect(await admin.pttl(tagKey('t'))).toBeGreaterThan(7 * 86_400_000); // maxTtl + generationTtl again
    expect(await again.wrap('k', async () => 'other', { tags: ['t'] })).toBe('V');
  });

  it("reads 0.1's tag format as it is, so entries it guards stay fresh", async () => {
    const { cache, tagKey, entryKey } = subject();
    await cache.wrap('k', async () => 'V', { tags: ['t'] });
    const [version, hard] = (await admin.get(tagKey('t')))!.split(' ');
    await admin.set(tagKey('t'), `${version} ${hard}`, 'PX', 60_000);
    expect(await admin.exists(entryKey('k'))).toBe(1);
    expect(await cache.wrap('k', async () => 'other', { tags: ['t'] })).toBe('V');
  });
});
