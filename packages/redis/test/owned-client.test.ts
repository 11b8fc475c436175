// The client the store creates from `url`: bounded defaults, client options, client
// errors as `error` events (never printed), a bounded close() on a frozen server, and
// explicit writes and invalidations that wait for a client that is not ready yet.
// Servers here are paused and killed, so they are always private ones.
import {
  type Cache,
  type CacheEventMap,
  createCache,
  Invalidates,
  isCacheOptionsError,
  isStoreError,
} from '@cachewise/core';
import type { ByteStore } from '@cachewise/core/store';
import { type RedisStoreOptions, redisStore } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { createOwnedClient, OWNED_CLIENT_DEFAULTS } from '../src/client.js';
import { type RedisServer, randomPrefix, startRedis } from './helpers/index.js';

let server: RedisServer;
let admin: Redis;
let printed: MockInstance;
const caches: Cache[] = [];
beforeAll(async () => {
  server = await startRedis({ private: true });
  admin = server.client();
});
afterAll(() => server?.stop());
beforeEach(() => {
  printed = vi.spyOn(console, 'error');
});
afterEach(async () => {
  // A test that fails midway may leave the server paused or dead: later tests need it.
  await server.resume().catch(() => {});
  await Promise.all(caches.splice(0).map((cache) => cache.close()));
  // ioredis prints "[ioredis] Unhandled error event" for a client nobody listens to.
  expect(printed.mock.calls.flat().join('\n')).not.toMatch(/Unhandled error event/);
  printed.mockRestore();
});

interface Watched {
  cache: Cache;
  store: ByteStore;
  errors: Array<CacheEventMap['error']>;
  /** The next error event whose message matches. */
  nextError(message: RegExp): Promise<Error>;
}

function cacheOn(options: RedisStoreOptions): Watched {
  const store = redisStore({ prefix: randomPrefix(), ...options });
  const cache = createCache({ store, setAsDefault: false });
  caches.push(cache);
  const errors: Array<CacheEventMap['error']> = [];
  const waiting = new Set<(error: Error) => void>();
  cache.on('error', (event) => {
    errors.push(event);
    for (const notify of waiting) notify(event.error as Error);
  });
  const nextError = (message: RegExp) =>
    new Promise<Error>((resolve) => {
      const notify = (error: Error) => {
        if (!message.test(error.message)) return;
        waiting.delete(notify);
        resolve(error);
      };
      waiting.add(notify);
    });
  return { cache, store, errors, nextError };
}

describe('options of the client it creates', () => {
  it('defaults to bounded timeouts, few retries and no offline queue; clientOptions go over them', () => {
    expect(OWNED_CLIENT_DEFAULTS).toEqual({
      connectTimeout: 2_000,
      commandTimeout: 1_000,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    const plain = createOwnedClient(server.url, undefined, () => {});
    const tuned = createOwnedClient(server.url, { commandTimeout: 250, enableOfflineQueue: true }, () => {});
    try {
      expect(plain.options).toMatchObject(OWNED_CLIENT_DEFAULTS);
      // The store's own client comes from the ioredis major under test (RESP3 on 6).
      expect((plain.options as { protocol?: number }).protocol).toBe(
        process.env.CACHEWISE_TEST_IOREDIS === 'ioredis6' ? 3 : undefined,
      );
      expect(tuned.options).toMatchObject({
        connectTimeout: 2_000,
        commandTimeout: 250,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: true,
      });
    } finally {
      plain.disconnect();
      tuned.disconnect();
    }
  });

  it('passes clientOptions to the client the store connects with', async () => {
    const connectionName = `cw-owned-${randomPrefix().slice(1, -1)}`;
    const { cache } = cacheOn({ url: server.url, clientOptions: { connectionName } });
    await cache.set('k', 1);
    expect(await admin.client('LIST')).toContain(`name=${connectionName} `);
  });

  const bad: Array<[string, RedisStoreOptions, RegExp]> = [
    [
      'clientOptions with a client',
      {
        client: new (class {
          evalshaBuffer() {}
        })() as never,
        clientOptions: {},
      },
      /`clientOptions` applies only with `url`/,
    ],
    [
      'clientOptions that are not an object',
      { url: 'redis://x', clientOptions: 'fast' as never },
      /`clientOptions` must be an object/,
    ],
    [
      'a zero commandTimeout',
      { url: 'redis://x', clientOptions: { commandTimeout: 0 } },
      /`clientOptions.commandTimeout` must be a number of milliseconds from 1/,
    ],
    [
      'a commandTimeout past the timer limit',
      { url: 'redis://x', clientOptions: { commandTimeout: 2 ** 31 } },
      /`clientOptions.commandTimeout`.*to 2147483647; got 2147483648/,
    ],
    [
      'a string connectTimeout',
      { url: 'redis://x', clientOptions: { connectTimeout: '2s' as never } },
      /`clientOptions.connectTimeout`.*got a string/,
    ],
    [
      'unbounded retries per request',
      { url: 'redis://x', clientOptions: { maxRetriesPerRequest: null } },
      /`clientOptions.maxRetriesPerRequest` must be an integer of 0 or more/,
    ],
    [
      'negative retries per request',
      { url: 'redis://x', clientOptions: { maxRetriesPerRequest: -1 } },
      /maxRetriesPerRequest.*got -1/,
    ],
    [
      'a non-boolean enableOfflineQueue',
      { url: 'redis://x', clientOptions: { enableOfflineQueue: 1 as never } },
      /`clientOptions.enableOfflineQueue` must be a boolean/,
    ],
    [
      'a bad readyTimeout',
      { url: 'redis://x', readyTimeout: 'soon' as never },
      /redisStore: `readyTimeout` must be a positive duration/,
    ],
    ['a zero readyTimeout', { url: 'redis://x', readyTimeout: 0 }, /`readyTimeout` must be a positive duration/],
    ['a readyTimeout over an hour', { url: 'redis://x', readyTimeout: '2h' }, /`readyTimeout` must be at most '1h'/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what} with a CacheOptionsError naming the option`, () => {
      let error: unknown;
      try {
        redisStore(options);
      } catch (caught) {
        error = caught;
      }
      expect(isCacheOptionsError(error)).toBe(true);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
    });
  }
});

describe('a paused server (SIGSTOP)', () => {
  it('cached calls fail open, writes and invalidations reject, and close() settles, all while it stays paused', async () => {
    // A short configured command timeout: what matters is that every call settles at all.
    const { cache, store, errors } = cacheOn({ url: server.url, clientOptions: { commandTimeout: 100 } });
    await store.ready!(); // connected: from here on, only the command timeout bounds a call
    await server.pause();
    expect(await cache.wrap('k', async () => 'from the database')).toBe('from the database');
    await expect(cache.set('k', 'new')).rejects.toThrow(/timed out/);
    await expect(cache.invalidateTags(['t'])).rejects.toThrow(/timed out/);
    await expect(cache.delete('k')).rejects.toThrow(/timed out/);
    expect(cache.stats().storeErrors).toBeGreaterThanOrEqual(4);
    expect(errors.every((event) => event.kind === 'store')).toBe(true);
    await cache.close(); // QUIT cannot be answered: the store disconnects after its timeout
    await server.resume();
  });
});

describe('a dead server', () => {
  it('fails reads open at once, and reports client errors as one error event per outage, never printed', async () => {
    const { cache, nextError } = cacheOn({ url: server.url });
    await cache.set('k', 'cached');
    const reported = nextError(/client error/);
    await server.kill();
    expect(await cache.wrap('k', async () => 'from the database')).toBe('from the database');
    const error = await reported; // the reconnect's ECONNREFUSED, as an event
    expect(isStoreError(error)).toBe(true);
    expect(error.message).toMatch(/^redis store: client error \(reported once until the client is ready again\): /);
    await server.restart();
  });

  it('reports the first client error of each outage, not one per reconnect attempt', async () => {
    const reports: Error[] = [];
    const client = createOwnedClient(server.url, undefined, (error) => reports.push(error));
    const errorEvents = (count: number) =>
      new Promise<void>((resolve) => {
        let seen = 0;
        const onError = () => {
          if (++seen < count) return;
          client.off('error', onError);
          resolve();
        };
        client.on('error', onError);
      });
    const ready = () => new Promise<void>((resolve) => client.once('ready', () => resolve()));
    try {
      await ready();
      const threeErrors = errorEvents(3);
      await server.kill();
      await threeErrors; // three failed reconnect attempts
      expect(reports).toHaveLength(1);
      expect(reports[0]!.message).toMatch(
        /^redis store: client error \(reported once until the client is ready again\): .*ECONNREFUSED/,
      );
      expect((reports[0] as Error & { cause: Error }).cause.message).toMatch(/ECONNREFUSED/);
      const back = ready();
      await server.restart();
      await back;
      const again = errorEvents(1);
      await server.kill();
      await again;
      expect(reports).toHaveLength(2); // a new outage, a new report
    } finally {
      client.disconnect();
      await server.restart();
    }
  });
});

describe('explicit writes and invalidations before the client is ready', () => {
  const clientKinds: Array<[string, () => RedisStoreOptions & { status: () => string }]> = [
    ['a client the store creates from url', () => ({ url: server.url, readyTimeout: '15s', status: () => 'unknown' })],
    [
      'your client with enableOfflineQueue: false',
      () => {
        const client = server.client({ enableOfflineQueue: false });
        return { client, readyTimeout: '15s', status: () => client.status };
      },
    ],
    [
      'your client with lazyConnect: true, not connected yet',
      () => {
        const client = server.client({ enableOfflineQueue: false, lazyConnect: true });
        return { client, readyTimeout: '15s', status: () => client.status };
      },
    ],
  ];
  for (const [what, make] of clientKinds) {
    it(`wait for ${what} to connect, then succeed`, async () => {
      await server.kill(); // the client starts while the server is down
      const { status, ...options } = make();
      const { cache, errors } = cacheOn(options);
      expect(status()).not.toBe('ready');
      class Users {
        @Invalidates({ cache, tags: (id: number) => [`user:${id}`] })
        async rename(id: number): Promise<number> {
          return id; // the database write, done before the invalidation
        }
      }
      const pending = [
        cache.invalidateTags(['user:1']),
        cache.delete('user:1'),
        cache.set('user:2', 'Ada'),
        cache.clear(),
        new Users().rename(1),
      ];
      for (const call of pending) call.catch(() => {}); // awaited below; no unhandled rejection meanwhile
      expect(await cache.wrap('user:3', async () => 'loaded')).toBe('loaded'); // reads do not wait
      await server.restart();
      expect(await Promise.all(pending)).toEqual([undefined, undefined, undefined, undefined, 1]);
      await cache.set('user:2', 'Ada');
      expect(await cache.get('user:2')).toBe('Ada');
      expect(errors.filter((event) => /not sent/.test((event.error as Error).message))).toEqual([]);
    });
  }

  it('reject with a StoreError naming readyTimeout once it passes, counted and emitted', async () => {
    await server.kill();
    try {
      const { cache, errors } = cacheOn({ url: server.url, readyTimeout: 20 });
      for (const call of [() => cache.invalidateTags(['t']), () => cache.delete('k'), () => cache.set('k', 1)]) {
        const error = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(isStoreError(error)).toBe(true);
        expect((error as Error).message).toMatch(
          /client was not ready within readyTimeout \(20 ms, status '\w+'\); (a tag invalidation|a delete|cache\.set\(\)) was not sent/,
        );
      }
      expect(errors.filter((event) => /readyTimeout/.test((event.error as Error).message))).toHaveLength(3);
      expect(cache.stats().storeErrors).toBe(errors.length); // the three, and the client's connection error
    } finally {
      await server.restart();
    }
  });

  it('end when the store closes, and at once for a client that was closed', async () => {
    await server.kill();
    try {
      const { cache } = cacheOn({ url: server.url, readyTimeout: '1h' });
      const pending = cache.invalidateTags(['t']).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      await cache.close();
      expect(String(await pending)).toMatch(
        /store was closed while waiting for the client to be ready; a tag invalidation was not sent/,
      );
    } finally {
      await server.restart();
    }
    const client = server.client();
    await client.ping();
    const ended = new Promise((resolve) => client.once('end', resolve));
    client.disconnect();
    await ended;
    const { cache } = cacheOn({ client, readyTimeout: '1h' });
    await expect(cache.set('k', 1)).rejects.toThrow(
      /the client is closed \(status 'end'\); cache.set\(\) was not sent/,
    );
  });
});
