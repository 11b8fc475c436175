// redlockProtector across real processes (fixtures/lock-peer.mjs) on a single node and a
// Cluster: 4 processes x 50 callers load a cold key once per round; a failing loader
// still wakes the others; a holder killed mid-load holds the others up only until the
// lock expires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, type RedisServer, startCluster, startRedis } from './helpers/index.js';
import { type PeerProcess, startFixture } from './peer-process.js';

type Round = { won: boolean; waits: boolean[]; values: string[] };

const PROCESSES = 4;
const CALLERS = 50;
const ROUNDS = 20;
const LOCK_TTL_MS = 1_000;
const WAIT_MS = 2_000;

let server: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

for (const topology of ['single node', 'Cluster'] as const) {
  describe(`redlockProtector across ${PROCESSES} processes (${topology})`, () => {
    let prefix: string;
    const start = () =>
      startFixture('lock-peer.mjs', {
        ...(topology === 'Cluster' ? { clusterPort: cluster.nodes[0]!.port } : { url: server.url }),
        prefix: `${prefix}lock:`,
        lockTtlMs: LOCK_TTL_MS,
        waitMs: WAIT_MS,
      });
    const client = () => (topology === 'Cluster' ? cluster.client() : server.client());
    let peers: Array<PeerProcess & { pid: number }> = [];

    beforeAll(async () => {
      prefix = server.newPrefix();
      peers = await Promise.all(Array.from({ length: PROCESSES }, start));
    });
    afterAll(async () => {
      await Promise.all(peers.map((peer) => peer.stop()));
    });

    it(`${PROCESSES} x ${CALLERS} callers on a cold key: one load per round, every caller gets the value (${ROUNDS} rounds)`, async () => {
      const admin = client();
      let woken = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const args = {
          key: `cold-${round}`,
          counterKey: `${prefix}loads-${round}`,
          valueKey: `${prefix}value-${round}`,
          callers: CALLERS,
          loadMs: 50,
        };
        const results = await Promise.all(peers.map((peer) => peer.send<Round>('round', args)));
        expect(await admin.get(args.counterKey), `round ${round}`).toBe('1');
        expect(results.flatMap((result) => result.values)).toEqual(Array(PROCESSES * CALLERS).fill('loaded'));
        woken += results.flatMap((result) => result.waits).filter(Boolean).length;
      }
      // The processes did contend: some waited for another's load and were woken by it.
      expect(woken).toBeGreaterThan(0);
    });

    it("the holder's loader throws: the other processes' waiters are woken, and the lock is free", async () => {
      const args = {
        key: 'failing',
        counterKey: `${prefix}loads-failing`,
        valueKey: `${prefix}value-failing`,
        callers: CALLERS,
        loadMs: 200,
        fail: true,
      };
      const results = await Promise.all(peers.map((peer) => peer.send<Round>('round', args)));
      const winners = results.filter((result) => result.won);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.values).toEqual(Array(CALLERS).fill('error: loader failed'));
      // Every other process waited once (in-process dedupe) and was woken by the release.
      const waits = results.filter((result) => !result.won).flatMap((result) => result.waits);
      expect(waits).toEqual([true, true, true]);
      expect(await client().exists(`${prefix}lock:failing`)).toBe(0);
    });

    it('the holder is SIGKILLed mid-load: the waits end within lockTtl + wait, and another process takes the lock after expiry', async () => {
      const doomed = await start();
      expect(await doomed.send('lock', { key: 'orphan' })).toMatchObject({ locked: true });
      const began = Date.now();
      const waits = peers.map((peer) => peer.send<{ released: boolean }>('wait', { key: 'orphan' }));
      process.kill(doomed.pid, 'SIGKILL');
      await Promise.all(waits);
      // The bound is the property here (generous: a loaded machine is slow to schedule).
      expect(Date.now() - began).toBeLessThan(LOCK_TTL_MS + WAIT_MS + 5_000);
      // After the orphan lock expired, exactly one of the contenders gets it.
      await new Promise((resolve) => setTimeout(resolve, LOCK_TTL_MS));
      const attempts = await Promise.all(
        peers.map((peer) => peer.send<{ locked: boolean }>('lock', { key: 'orphan' })),
      );
      expect(attempts.filter((attempt) => attempt.locked)).toHaveLength(1);
      await Promise.all(peers.map((peer) => peer.send('release', { key: 'orphan' })));
      await doomed.stop();
    });
  });
}
