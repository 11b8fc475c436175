// redlockProtector on a real single node and a real 3-master Cluster: one lock per key,
// release notices that wake waiters, the wait bound, extension while held, one
// subscription per key, close(), and background failures reported through attach().
// Each protector gets its own client, as each process of a fleet would.
import { isStoreError } from '@cachewise/core';
import { type RedlockProtector, redlockProtector } from '@cachewise/redis';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, type RedisServer, startCluster, startRedis } from './helpers/index.js';

let server: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const topology of ['single node', 'Cluster'] as const) {
  describe(`redlockProtector (${topology})`, () => {
    const protectors: RedlockProtector[] = [];
    let prefix: string;
    const newClient = (): Redis | Cluster => (topology === 'Cluster' ? cluster.client() : server.client());
    const protector = (options: { lockTtl?: number; wait?: number } = {}): RedlockProtector => {
      const made = redlockProtector({ client: newClient(), prefix, ...options });
      protectors.push(made);
      return made;
    };
    /** Subscribers of a release channel: sharded ones summed over the Cluster's nodes. */
    const subscribers = async (key: string): Promise<number> => {
      const channel = `${prefix}${key}`;
      const count = async (client: Redis, command: string) =>
        Number(((await client.call('PUBSUB', command, channel)) as [string, number])[1]);
      if (topology === 'single node') return count(server.client(), 'NUMSUB');
      const admin = newClient() as Cluster;
      await admin.ping(); // the node list fills in once connected
      const nodes = admin.nodes('master');
      expect(nodes).toHaveLength(3);
      return (await Promise.all(nodes.map((node) => count(node, 'SHARDNUMSUB')))).reduce((a, b) => a + b, 0);
    };

    beforeAll(() => {
      prefix = `${server.newPrefix()}lock:`;
    });
    afterEach(async () => {
      await Promise.all(protectors.splice(0).map((made) => made.close()));
    });

    it('one holder per key: a second tryLock gets undefined until release, then the key can be locked again', async () => {
      const [a, b] = [protector(), protector()];
      const lock = await a.tryLock('k1');
      expect(lock).toBeDefined();
      expect(await b.tryLock('k1')).toBeUndefined();
      expect(await a.tryLock('k1')).toBeUndefined(); // the same process too: one attempt, no reentrancy
      expect(await b.tryLock('other')).toBeDefined(); // keys are independent
      await lock!.release();
      const again = await b.tryLock('k1');
      expect(again).toBeDefined();
      await again!.release();
    });

    it('release wakes a waiter in another process (true); release twice is harmless', async () => {
      const [holder, waiter] = [protector(), protector({ wait: 60_000 })];
      const lock = await holder.tryLock('k2');
      const waiting = waiter.waitForRelease('k2');
      await sleep(100); // let the waiter subscribe and find the lock held
      await lock!.release();
      expect(await waiting).toBe(true);
      await lock!.release();
    });

    it('a waiter gives up after `wait` (false) when the lock is never released', async () => {
      const [holder, waiter] = [protector(), protector({ wait: 300 })];
      const lock = await holder.tryLock('k3');
      expect(await waiter.waitForRelease('k3')).toBe(false);
      await lock!.release();
    });

    it('a waiter on a free key resolves true without waiting for any notice', async () => {
      // wait is an hour: only the check after subscribing can end this wait.
      expect(await protector({ wait: '1h' as unknown as number }).waitForRelease('free')).toBe(true);
    });

    it('keeps extending a held lock past lockTtl while the loader runs', async () => {
      const [holder, other] = [protector({ lockTtl: 300 }), protector({ lockTtl: 300 })];
      const reported: Error[] = [];
      holder.attach({ error: (error) => reported.push(error) });
      const lock = await holder.tryLock('slow');
      await sleep(1_000); // more than three lock TTLs
      expect(reported).toEqual([]);
      expect(await other.tryLock('slow')).toBeUndefined();
      const pttl = await newClient().pttl(`${prefix}slow`);
      expect(pttl).toBeGreaterThan(0);
      await lock!.release();
      expect(await newClient().exists(`${prefix}slow`)).toBe(0);
    });

    it('one subscription per key in wait, however many waiters, dropped when the last one leaves', async () => {
      const [holder, waiter] = [protector(), protector({ wait: 60_000 })];
      const lock = await holder.tryLock('shared');
      const waits = [1, 2, 3, 4, 5].map(() => waiter.waitForRelease('shared'));
      await sleep(200);
      expect(await subscribers('shared')).toBe(1);
      await lock!.release();
      expect(await Promise.all(waits)).toEqual([true, true, true, true, true]);
      await sleep(100); // UNSUBSCRIBE is sent after the waiters resolved
      expect(await subscribers('shared')).toBe(0);
    });

    it('close() ends waits in progress with false and leaves the client open', async () => {
      const holder = protector();
      const client = newClient();
      const waiter = redlockProtector({ client, prefix, wait: 60_000 });
      const lock = await holder.tryLock('closing');
      const waiting = waiter.waitForRelease('closing');
      await sleep(100);
      await waiter.close();
      expect(await waiting).toBe(false);
      expect(await waiter.waitForRelease('closing')).toBe(false);
      await expect(waiter.tryLock('closing')).rejects.toSatisfy(isStoreError);
      expect(await client.exists(`${prefix}closing`)).toBe(1); // the client still works
      await lock!.release();
    });

    it('close() releases the locks it still holds', async () => {
      const holder = redlockProtector({ client: newClient(), prefix });
      expect(await holder.tryLock('held-at-close')).toBeDefined();
      await holder.close();
      expect(await newClient().exists(`${prefix}held-at-close`)).toBe(0);
    });

    it('a lost lock: the failed extension is reported through attach(), and release() still resolves', async () => {
      const holder = protector({ lockTtl: 300 });
      const reported: Array<{ error: Error; key: string | undefined }> = [];
      const detach = holder.attach({ error: (error, key) => reported.push({ error, key }) });
      const lock = await holder.tryLock('lost');
      await newClient().set(`${prefix}lost`, 'someone else', 'PX', 60_000); // taken over
      await sleep(600);
      expect(reported.length).toBeGreaterThan(0);
      expect(reported[0]!.key).toBe('lost');
      expect(reported[0]!.error).toSatisfy(isStoreError);
      expect(reported[0]!.error.message).toMatch(/could not extend the lock on 'lost'/);
      await expect(lock!.release()).resolves.toBeUndefined();
      // Not ours any more: release left the other holder's lock alone.
      expect(await newClient().get(`${prefix}lost`)).toBe('someone else');
      detach();
    });
  });
}

it('locks live in the database the client selected, not in database 0', async () => {
  const prefix = server.newPrefix();
  const inDb3 = redlockProtector({ client: server.client({ db: 3 }), prefix });
  try {
    const lock = await inDb3.tryLock('db');
    expect(await server.client({ db: 3 }).exists(`${prefix}db`)).toBe(1);
    expect(await server.client({ db: 0 }).exists(`${prefix}db`)).toBe(0);
    await lock!.release();
  } finally {
    await inDb3.close();
  }
});

it('on a single Redis, all waits share one subscriber connection, created on the first wait and closed by close()', async () => {
  const prefix = server.newPrefix();
  const admin = server.client();
  const pubsubClients = async () =>
    ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string).split('\n').filter(Boolean).length;
  const settle = async (expected: number) => {
    for (let i = 0; i < 100 && (await pubsubClients()) !== expected; i++) await sleep(20);
    return pubsubClients();
  };
  const holder = redlockProtector({ client: server.client(), prefix });
  const waiter = redlockProtector({ client: server.client(), prefix, wait: 60_000 });
  try {
    const before = await settle(0);
    const locks = await Promise.all(['a', 'b', 'c'].map((key) => holder.tryLock(key)));
    expect(await pubsubClients()).toBe(before); // nothing until the first wait
    const waits = ['a', 'b', 'c', 'a'].map((key) => waiter.waitForRelease(key));
    await sleep(200);
    expect(await pubsubClients()).toBe(before + 1);
    await Promise.all(locks.map((lock) => lock!.release()));
    expect(await Promise.all(waits)).toEqual([true, true, true, true]);
    await waiter.close();
    expect(await settle(before)).toBe(before);
  } finally {
    await Promise.all([holder.close(), waiter.close()]);
  }
});
