// The demo's load parts on their own: the stale-read check, the key distribution, and the
// Redis helpers (a server of its own; on a server it did not start, only its keys deleted).
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { startRedis } from '../../../packages/redis/test/helpers/index.js';
import { FreshnessCheck } from '../src/demo/freshness-check.js';
import { deleteKeys, findOnPath, startRedisServer } from '../src/demo/processes.js';
import { Zipf } from '../src/demo/zipf.js';

describe('FreshnessCheck', () => {
  it('counts a GET sent after a PUT returned that shows an older name, and nothing else', () => {
    const check = new FreshnessCheck('ab12');
    expect(check.canWrite(7)).toBe(true);
    const first = check.startWrite(7);
    expect(first.name).toBe('User 7 ab12-v1');
    expect(check.canWrite(7)).toBe(false);
    // Sent before the PUT returned: the old name is allowed.
    check.read(7, 'User 7', 5);
    check.endWrite(7, first.seq, true, 10);
    expect(check.canWrite(7)).toBe(true);
    check.read(7, 'User 7', 9);
    expect(check.stale).toBe(0);
    // Sent after: the old name is stale, the new one (or a later one) is not.
    check.read(7, 'User 7 ab12-v1', 11);
    const second = check.startWrite(7);
    check.read(7, 'User 7 ab12-v2', 12);
    expect(check.stale).toBe(0);
    check.read(7, 'User 7', 11);
    // A name another run wrote is as old as the seed's.
    check.read(7, 'User 7 ffff-v9', 11);
    expect(check.stale).toBe(2);
    expect(check.examples[0]).toBe('user 7: got "User 7", expected v1 or later');
    // A failed PUT sets no expectation; other users are unaffected.
    check.endWrite(7, second.seq, false, 20);
    check.read(7, 'User 7 ab12-v1', 21);
    check.read(8, 'User 8', 21);
    expect(check.stale).toBe(2);
  });
});

describe('Zipf', () => {
  it('picks ranks 1..n, low ranks far more often than high ones', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const zipf = new Zipf(1_000, 1, random);
    const counts = new Array<number>(1_001).fill(0);
    for (let i = 0; i < 50_000; i++) counts[zipf.next()]!++;
    expect(counts[0]).toBe(0);
    expect(counts.slice(1).reduce((a, b) => a + b, 0)).toBe(50_000);
    // P(1) / P(10) = 10 for s = 1.
    expect(counts[1]! / counts[10]!).toBeGreaterThan(5);
    expect(counts.slice(1, 11).reduce((a, b) => a + b, 0)).toBeGreaterThan(
      counts.slice(501).reduce((a, b) => a + b, 0),
    );
  });
});

describe('Redis helpers of the demo', () => {
  it('starts a redis-server of its own on a free port, and stops it', async () => {
    const bin = findOnPath('redis-server');
    if (bin === undefined)
      throw new Error('redis-server is not on PATH: install it with `apt-get install -y redis-server`');
    const server = await startRedisServer(bin);
    const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    client.on('error', () => {});
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await server.stop();
    const after = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    after.on('error', () => {});
    await expect(after.connect()).rejects.toThrow();
    after.disconnect();
  });

  it('deletes only the keys under its prefix on a server it did not start', async () => {
    const redis = await startRedis();
    try {
      const client = redis.client();
      const mine = `${redis.prefix}cwdemo-x:`;
      const other = `${redis.prefix}other:`;
      await client.mset(`${mine}a`, '1', `${mine}b`, '2', `${other}a`, '3');
      await deleteKeys(redis.url, mine);
      expect(await client.exists(`${mine}a`, `${mine}b`)).toBe(0);
      expect(await client.get(`${other}a`)).toBe('3');
    } finally {
      await redis.stop();
    }
  });
});
