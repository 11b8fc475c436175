// redlockProtector when Redis fails: a paused server or a closed port makes tryLock
// reject within `wait` and waitForRelease resolve false; a dropped subscriber connection
// is reported; multi-node Redlock locks with one node of three down and refuses with two.
// Servers here are paused and killed, so they are always private ones.
import { isStoreError } from '@cachewise/core';
import { type RedlockProtector, redlockProtector } from '@cachewise/redis';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/free-port.js';
import { type RedisServer, randomPrefix, startRedis, TEST_CLIENT_DEFAULTS } from './helpers/index.js';

const WAIT_MS = 500;
/** Generous: the bound is the property, but a loaded machine is slow to schedule. */
const SLACK_MS = 5_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const protectors: RedlockProtector[] = [];
const make = (options: Parameters<typeof redlockProtector>[0]): RedlockProtector => {
  const made = redlockProtector({ prefix: randomPrefix(), wait: WAIT_MS, ...options });
  protectors.push(made);
  return made;
};
afterEach(async () => {
  await Promise.all(protectors.splice(0).map((made) => made.close()));
});

describe('a paused server', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ private: true });
  });
  afterAll(() => server?.stop());
  afterEach(() => server.resume().catch(() => {}));

  it('tryLock rejects within wait, and a lock granted after it gave up is released', async () => {
    const prefix = randomPrefix();
    const protector = make({ client: server.client(), prefix });
    await protector.waitForRelease('warm-up'); // connected, scripts not loaded yet either way
    await server.pause();
    const began = Date.now();
    const error = await protector.tryLock('paused').catch((caught: unknown) => caught);
    expect(Date.now() - began).toBeLessThan(WAIT_MS + SLACK_MS);
    expect(error).toSatisfy(isStoreError);
    expect((error as Error).message).toMatch(/no answer from Redis within wait \(500 ms\) when locking 'paused'/);
    await server.resume();
    // The server now runs the queued acquire; the protector releases what it no longer wants.
    const admin = server.client();
    for (let i = 0; i < 100 && (await admin.exists(`${prefix}paused`)) === 1; i++) await sleep(20);
    expect(await admin.exists(`${prefix}paused`)).toBe(0);
  });

  it('waitForRelease resolves false within wait, and does not throw', async () => {
    const prefix = randomPrefix();
    const lock = await make({ client: server.client(), prefix }).tryLock('held');
    const waiter = make({ client: server.client(), prefix });
    await server.pause();
    const began = Date.now();
    expect(await waiter.waitForRelease('held')).toBe(false);
    expect(Date.now() - began).toBeLessThan(WAIT_MS + SLACK_MS);
    await server.resume();
    await lock!.release();
  });
});

describe('a closed port', () => {
  it('tryLock rejects within wait and waitForRelease resolves false', async () => {
    const port = await freePort();
    const client = new Redis({ ...TEST_CLIENT_DEFAULTS, port, host: '127.0.0.1' });
    client.on('error', () => {});
    try {
      const protector = make({ client });
      const began = Date.now();
      await expect(protector.tryLock('nowhere')).rejects.toSatisfy(isStoreError);
      expect(await protector.waitForRelease('nowhere')).toBe(false);
      expect(Date.now() - began).toBeLessThan(2 * WAIT_MS + SLACK_MS);
    } finally {
      client.disconnect();
    }
  });
});

describe('the subscriber connection drops', () => {
  it('is reported through attach(), and the wait in progress ends by its bound (false)', async () => {
    const server = await startRedis({ private: true });
    try {
      const prefix = randomPrefix();
      const lock = await make({ client: server.client(), prefix }).tryLock('k');
      const waiter = make({ client: server.client(), prefix, wait: 1_500 });
      const reported: Error[] = [];
      waiter.attach({ error: (error) => reported.push(error) });
      const waiting = waiter.waitForRelease('k');
      await sleep(200); // subscribed, lock found held
      await server.kill();
      expect(await waiting).toBe(false);
      expect(reported[0]).toSatisfy(isStoreError);
      expect(reported[0]!.message).toMatch(/release-notice subscriber lost its connection/);
      await lock!.release(); // never rejects, though the server is gone
    } finally {
      await server.stop();
    }
  });
});

describe('multi-node Redlock (three independent masters)', () => {
  let servers: RedisServer[];
  let prefix: string;
  const fleet = () => make({ clients: servers.map((server) => server.client()), prefix, wait: 2_000 });
  beforeAll(async () => {
    servers = await Promise.all([1, 2, 3].map(() => startRedis({ private: true })));
    prefix = randomPrefix();
  });
  afterAll(() => Promise.all(servers.map((server) => server.stop())));

  it('locks on a majority: another protector gets undefined, and is woken by the release', async () => {
    const [a, b] = [fleet(), fleet()];
    const lock = await a.tryLock('k');
    expect(lock).toBeDefined();
    for (const server of servers) expect(await server.client().exists(`${prefix}k`)).toBe(1);
    expect(await b.tryLock('k')).toBeUndefined();
    const waiting = b.waitForRelease('k');
    await sleep(100);
    await lock!.release();
    expect(await waiting).toBe(true);
  });

  it('one node of three down: still locks, and a contender still gets undefined', async () => {
    await servers[2]!.kill();
    const [a, b] = [fleet(), fleet()];
    const lock = await a.tryLock('one-down');
    expect(lock).toBeDefined();
    expect(await b.tryLock('one-down')).toBeUndefined();
    await lock!.release();
    expect(await b.tryLock('one-down')).toBeDefined();
  });

  it('two nodes of three down: tryLock rejects (no majority); waitForRelease does not throw', async () => {
    await servers[1]!.kill();
    const protector = fleet();
    await expect(protector.tryLock('two-down')).rejects.toSatisfy(isStoreError);
    expect(await servers[0]!.client().exists(`${prefix}two-down`)).toBe(0); // the minority lock was undone
    expect(await protector.waitForRelease('two-down')).toBe(true); // found free on the node that answers
  });
});
