import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CountingProxy,
  type RedisCluster,
  type RedisServer,
  rawCommand,
  startCluster,
  startCountingProxy,
  startRedis,
} from './helpers/index.js';
import { startPeer } from './peer-process.js';

// These tests kill, pause and restart their server, so it is always a private one,
// even when REDIS_URL points the other tests at a shared server.

/** Resolves once the client has (re)connected; ioredis reconnects on its own schedule. */
async function whenReady(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve) => client.once('ready', () => resolve()));
}

describe('startRedis', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ private: true });
  });
  afterAll(() => server?.stop());

  it('starts a server that answers on its own port', async () => {
    expect(server.external).toBe(false);
    expect(server.port).not.toBe(6379);
    const client = server.client();
    expect(await client.ping()).toBe('PONG');
    await client.set(`${server.prefix}k`, 'v');
    expect(await client.get(`${server.prefix}k`)).toBe('v');
  });

  it('comes back on the same port after kill + restart, and clients reconnect', async () => {
    const client = server.client(); // default retryStrategy: keeps reconnecting
    await client.set('before-crash', '1');

    await server.kill();
    await expect(rawCommand(server.port, ['PING'])).rejects.toThrow();

    await server.restart();
    expect(await rawCommand(server.port, ['PING'])).toBe('PONG');
    await whenReady(client);
    expect(await client.get('before-crash')).toBeNull(); // a new, empty process
    expect(await client.ping()).toBe('PONG');
  });

  it('pause() freezes the server until resume()', async () => {
    const client = server.client();
    await client.ping();
    await server.pause(); // returns once the kernel reports the process stopped
    // Sent while paused: TIME says when the server ran it, with no timer race in the test.
    const reply = client.time();
    const resumedAfterMs = Date.now();
    await server.resume();
    const [seconds, micros] = (await reply).map(Number) as [number, number];
    expect(seconds * 1_000_000 + micros).toBeGreaterThanOrEqual(resumedAfterMs * 1_000);
  });

  it('says how to install redis-server when it is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startRedis({ private: true })).rejects.toThrow(
        /redis-server is not on PATH.*apt-get install -y redis-server/,
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it("with a URL, its clients and a peer process use the URL's database, and stop() cleans it", async () => {
    const admin = server.client();
    const wrapped = await startRedis({ url: `${server.url}/3` });
    const prefix = wrapped.newPrefix();
    await wrapped.client().set(`${prefix}own`, '1');
    const peer = await startPeer({ url: wrapped.url, prefix, namespace: 'db' });
    try {
      await peer.send('set', { key: 'k', value: 'v', tags: ['t'] });
      await peer.send('invalidate', { tags: ['t'] });
    } finally {
      await peer.stop();
    }
    const inDb = async (db: number) => {
      await admin.select(db);
      return admin.keys(`${prefix}*`); // test-only listing, on our own private server
    };
    expect(await inDb(0)).toEqual([]);
    expect((await inDb(3)).length).toBeGreaterThanOrEqual(3); // our key, the entry, the tag
    await wrapped.stop();
    expect(await inDb(3)).toEqual([]);
  });

  it('with a URL, wraps that server and deletes only its own prefix', async () => {
    const outsider = server.client();
    await outsider.set('not-mine', '1');
    const wrapped = await startRedis({ url: server.url });
    expect(wrapped.external).toBe(true);
    expect(wrapped.port).toBe(server.port);
    await expect(wrapped.kill()).rejects.toThrow(/not available with REDIS_URL/);
    await expect(wrapped.restart()).rejects.toThrow(/not available with REDIS_URL/);
    await expect(wrapped.pause()).rejects.toThrow(/not available with REDIS_URL/);

    const client = wrapped.client();
    await client.mset(`${wrapped.prefix}a`, '1', `${wrapped.prefix}b`, '2');
    await wrapped.stop();
    expect(await outsider.exists(`${wrapped.prefix}a`, `${wrapped.prefix}b`)).toBe(0);
    expect(await outsider.get('not-mine')).toBe('1');
    await outsider.del('not-mine');
  });
});

describe('startCluster', () => {
  let cluster: RedisCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(() => cluster?.stop());

  it('runs three masters and routes keys in different slots to all of them', async () => {
    expect(cluster.nodes).toHaveLength(3);
    const client = cluster.client();
    const keys = Array.from({ length: 30 }, (_, i) => `key:${i}`);
    for (const key of keys) await client.set(key, key.toUpperCase());
    for (const key of keys) expect(await client.get(key)).toBe(key.toUpperCase());

    const slots = new Set(await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key))));
    expect(slots.size).toBeGreaterThan(1);
    const masters = client.nodes('master');
    expect(masters).toHaveLength(3);
    const sizes = await Promise.all(masters.map((node) => node.dbsize()));
    for (const size of sizes) expect(size).toBeGreaterThan(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(keys.length);
  });
});

describe('startCountingProxy', () => {
  let server: RedisServer;
  let proxy: CountingProxy;
  let client: Redis;
  beforeAll(async () => {
    server = await startRedis();
    proxy = await startCountingProxy(server.port, server.host);
    client = server.client({ host: '127.0.0.1', port: proxy.port });
    await client.ping(); // handshake done, connection idle
  });
  afterAll(async () => {
    client?.disconnect();
    await proxy?.close();
    await server?.stop();
  });

  it('counts one trip for a single GET', async () => {
    proxy.reset();
    await client.get(`${server.prefix}x`);
    expect(proxy.roundTrips()).toBe(1);
  });

  it('counts one trip for a pipeline of five GETs', async () => {
    proxy.reset();
    const pipeline = client.pipeline();
    for (let i = 0; i < 5; i++) pipeline.get(`${server.prefix}p${i}`);
    const results = await pipeline.exec();
    expect(results).toHaveLength(5);
    expect(proxy.roundTrips()).toBe(1);
  });

  it('counts three trips for three awaited GETs', async () => {
    proxy.reset();
    for (let i = 0; i < 3; i++) await client.get(`${server.prefix}s${i}`);
    expect(proxy.roundTrips()).toBe(3);
  });
});
