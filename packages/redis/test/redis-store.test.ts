import { Cached, type CacheEventMap, createCache, isCacheOptionsError } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, randomPrefix, startRedis } from './helpers/index.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(() => server?.stop());

describe('options', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['neither client nor url', () => redisStore({}), /exactly one of `client`.*and `url`/],
    ['both client and url', () => redisStore({ client: server.client(), url: 'redis://x' }), /exactly one of/],
    [
      'a client that is not ioredis',
      () => redisStore({ client: {} as never }),
      /`client` must be an ioredis Redis or Cluster/,
    ],
    [
      'a url without redis://',
      () => redisStore({ url: 'http://x' }),
      /`url` must be a string starting with 'redis:\/\/'/,
    ],
    [
      'a prefix with braces',
      () => redisStore({ client: server.client(), prefix: 'a{b}' }),
      /`prefix`.*without '\{', '\}'/,
    ],
    // Redis would receive U+FFFD for it, so two prefixes could share keys.
    [
      'a prefix with a lone surrogate',
      () => redisStore({ client: server.client(), prefix: 'a\ud800' }),
      /`prefix`.*lone UTF-16 surrogates/,
    ],
    [
      'a bad maxTtl',
      () => redisStore({ client: server.client(), maxTtl: 'forever' as never }),
      /redisStore: `maxTtl` must be a positive duration/,
    ],
    ['a bad generationTtl', () => redisStore({ client: server.client(), generationTtl: -5 }), /`generationTtl`/],
    ['an unknown option', () => redisStore({ client: server.client(), ttl: '5m' } as never), /unknown option 'ttl'/],
  ];
  for (const [what, make, message] of bad) {
    it(`refuses ${what} with a TypeError naming the option`, () => {
      let error: unknown;
      try {
        make();
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(TypeError);
      expect(isCacheOptionsError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('refuses a cache ttl longer than the store keeps invalidations, at creation', () => {
    const store = redisStore({ client: server.client(), maxTtl: '1d' });
    expect(() => createCache({ store, ttl: '2d', setAsDefault: false })).toThrow(
      /ttl.*longer than the redis store's maxTtl/,
    );
  });

  it('refuses a method ttl longer than the store keeps invalidations, on the first call', async () => {
    const cache = createCache({ store: redisStore({ client: server.client(), maxTtl: '1h' }), setAsDefault: false });
    class Repo {
      @Cached({ cache, ttl: '2h' })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    await expect(new Repo().find(1)).rejects.toThrow(
      /Repo.find: `ttl` is 7200000 ms, longer than the redis store's maxTtl/,
    );
  });
});

describe('client ownership', () => {
  it('never closes a client it was given', async () => {
    const client = server.client();
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    await cache.set('k', 1);
    await cache.close();
    expect(await client.ping()).toBe('PONG');
  });

  it('creates and closes its own client from a url', async () => {
    const store = redisStore({ url: server.url, prefix: server.newPrefix() });
    const cache = createCache({ store, setAsDefault: false });
    await cache.set('k', 'v');
    expect(await cache.get('k')).toBe('v');
    await cache.close();
    // The store's own connection is gone: a new cache on the same store fails open.
    const after = createCache({ store, setAsDefault: false });
    expect(await after.wrap('k2', async () => 'loaded')).toBe('loaded');
    expect(after.stats().storeErrors).toBeGreaterThan(0);
  });
});

describe('untrusted payloads', () => {
  it('reads garbage, unknown formats and oversized payloads as misses plus an event, never a throw', async () => {
    const prefix = server.newPrefix();
    const admin = server.client();
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix }),
      namespace: 'h',
      maxPayloadBytes: 1024,
      setAsDefault: false,
    });
    const errors: Array<CacheEventMap['error']> = [];
    cache.on('error', (event) => errors.push(event));
    const entryKey = (key: string) => `${prefix}{h:k:${key}}:e`;
    await admin.set(entryKey('garbage'), Buffer.from([0xff, 0x00, 0x13]));
    await admin.set(entryKey('future'), 'cw9\n[0,0,[],[]]\nj1');
    await admin.set(entryKey('big'), `cw1\n[0,9999999999999,["h#"],[0]]\nj"${'x'.repeat(2_000)}"`);
    for (const key of ['garbage', 'future', 'big']) {
      expect(await cache.wrap(key, async () => `loaded-${key}`)).toBe(`loaded-${key}`);
    }
    expect(errors.map((event) => event.kind)).toEqual(['decode', 'decode', 'decode']);
    expect(errors.every((event) => !JSON.stringify(event).includes('xxxx'))).toBe(true);
  });

  it('never lets a __proto__ key in a payload reach a prototype', async () => {
    const prefix = server.newPrefix();
    const admin = server.client();
    const cache = createCache({
      store: redisStore({ client: server.client(), prefix }),
      namespace: 'h',
      setAsDefault: false,
    });
    const expires = Date.now() + 60_000;
    // The namespace tag at a known version, which the payloads record.
    await admin.set(`${prefix}{${prefix}tags}:h#`, `5 5 ${Math.floor(Date.now() / 1000)}`, 'PX', 60_000);
    const meta = `cw1\n[0,${expires},["h#"],[5]]\n`;
    await admin.set(`${prefix}{h:k:plain}:e`, `${meta}j{"__proto__":{"polluted":true},"a":1}`);
    await admin.set(`${prefix}{h:k:tagged}:e`, `${meta}t{"__proto__":{"polluted":true},"d":{"\\u0000":"D","v":0}}`);
    // The one-parse JSON envelope of the default serializer, and an unknown version of it.
    await admin.set(
      `${prefix}{h:k:json}:e`,
      `[2,0,${expires},["h#"],[5],1,{"__proto__":{"polluted":true},"d":{"\\u0000":"D","v":0}}]`,
    );
    await admin.set(`${prefix}{h:k:v3}:e`, `[3,0,${expires},["h#"],[5],0,"x"]`);
    const json = (await cache.get<Record<string, unknown>>('json'))!;
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(json.d).toBeInstanceOf(Date);
    expect(await cache.get('v3')).toBeUndefined();
    const plain = (await cache.get<Record<string, unknown>>('plain'))!;
    const tagged = (await cache.get<Record<string, unknown>>('tagged'))!;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(tagged)).toBe(Object.prototype);
    expect((plain as { polluted?: unknown }).polluted).toBeUndefined();
    expect(tagged.d).toBeInstanceOf(Date);
  });
});

describe('fail-open', () => {
  it('returns the method result while Redis is down, counts and emits the error, and recovers', async () => {
    const own = await startRedis({ private: true });
    try {
      const client = own.client({ enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      const ready = () =>
        new Promise<void>((resolve) => (client.status === 'ready' ? resolve() : client.once('ready', () => resolve())));
      await ready();
      const cache = createCache({ store: redisStore({ client, prefix: randomPrefix() }), setAsDefault: false });
      const kinds: string[] = [];
      cache.on('error', (event) => kinds.push(event.kind));
      await cache.set('k', 'cached');
      await own.kill();
      expect(await cache.wrap('k', async () => 'from the database')).toBe('from the database');
      expect(cache.stats().storeErrors).toBe(1);
      expect(kinds).toEqual(['store']);
      await own.restart();
      await ready();
      expect(await cache.wrap('k', async () => 'reloaded')).toBe('reloaded'); // the restart lost the data
      expect(await cache.wrap('k', async () => 'not again')).toBe('reloaded');
    } finally {
      await own.stop();
    }
  });
});
