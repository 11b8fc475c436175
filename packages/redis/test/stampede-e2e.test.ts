// The stampede protector end to end: real service processes (fixtures/stampede-peer.mjs),
// each a cache on redisStore with redlockProtector, all hitting one cold key at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, type RedisServer, startCluster, startRedis } from './helpers/index.js';
import { type PeerProcess, startFixture } from './peer-process.js';

type Outcome = { value?: string; error?: string };
type Burst = { outcomes: Outcome[]; stats: Record<string, number> };

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
  describe(`createCache with redlockProtector, ${PROCESSES} processes (${topology})`, () => {
    let prefix: string;
    let peers: Array<PeerProcess & { pid: number }> = [];
    const client = () => (topology === 'Cluster' ? cluster.client() : server.client());
    const start = () =>
      startFixture('stampede-peer.mjs', {
        ...(topology === 'Cluster' ? { clusterPort: cluster.nodes[0]!.port } : { url: server.url }),
        prefix,
        lockTtlMs: LOCK_TTL_MS,
        waitMs: WAIT_MS,
      });

    beforeAll(async () => {
      prefix = server.newPrefix();
      peers = await Promise.all(Array.from({ length: PROCESSES }, start));
    });
    afterAll(async () => {
      await Promise.all(peers.map((peer) => peer.stop()));
    });

    it(`${PROCESSES} x ${CALLERS} callers on a cold key, loader 50 ms: it runs once in total and every caller gets its value (${ROUNDS} rounds)`, async () => {
      const admin = client();
      for (let round = 0; round < ROUNDS; round++) {
        const args = { key: `cold-${round}`, counterKey: `${prefix}loads-${round}`, callers: CALLERS, loadMs: 50 };
        const bursts = await Promise.all(peers.map((peer) => peer.send<Burst>('burst', args)));
        expect(await admin.get(args.counterKey), `loads in round ${round}`).toBe('1');
        const values = bursts.flatMap((burst) => burst.outcomes.map((outcome) => outcome.value ?? outcome.error));
        expect(values).toEqual(Array(PROCESSES * CALLERS).fill(`value-of-cold-${round}`));
      }
      const totals = (await Promise.all(peers.map((peer) => peer.send<Burst>('stats')))).map((reply) => reply.stats);
      const sum = (field: string) => totals.reduce((n, stats) => n + stats[field]!, 0);
      expect(sum('loads')).toBe(ROUNDS);
      expect(sum('locksAcquired')).toBeGreaterThanOrEqual(ROUNDS);
      expect(sum('lockTimeouts')).toBe(0);
    });

    it("when the holder's load fails, nobody hangs: every caller gets the error, each process loads at most once", async () => {
      const admin = client();
      const args = { key: 'failing', counterKey: `${prefix}loads-failing`, callers: CALLERS, loadMs: 50, fail: true };
      const bursts = await Promise.all(peers.map((peer) => peer.send<Burst>('burst', args)));
      for (const burst of bursts) {
        for (const outcome of burst.outcomes) expect(outcome.error).toMatch(/^load failed in \d+$/);
      }
      const loads = Number(await admin.get(args.counterKey));
      expect(loads).toBeGreaterThanOrEqual(1);
      expect(loads).toBeLessThanOrEqual(PROCESSES);
      // The lock was released: a later call loads at once and succeeds.
      const after = await peers[0]!.send<Burst>('burst', { ...args, fail: false, callers: 1 });
      expect(after.outcomes).toEqual([{ value: 'value-of-failing' }]);
    });

    it('a lock holder killed mid-load (SIGKILL) holds the others up only until their wait ends', async () => {
      const admin = client();
      const args = { key: 'orphaned', counterKey: `${prefix}loads-orphaned`, callers: CALLERS, loadMs: 60_000 };
      await peers[0]!.send('hold', args); // its loader runs: it holds the lock
      process.kill(peers[0]!.pid, 'SIGKILL');
      const began = Date.now();
      const bursts = await Promise.all(
        peers.slice(1).map((peer) => peer.send<Burst>('burst', { ...args, loadMs: 50 })),
      );
      const waited = Date.now() - began;
      for (const burst of bursts)
        expect(burst.outcomes.map((o) => o.value)).toEqual(Array(CALLERS).fill('value-of-orphaned'));
      // The bound is the property: the wait, then one load, with a wide margin for a busy machine.
      expect(waited).toBeLessThan(WAIT_MS + LOCK_TTL_MS + 5_000);
      expect(Number(await admin.get(args.counterKey))).toBeLessThanOrEqual(PROCESSES);
      await peers[0]!.stop();
      peers[0] = await start(); // the fleet is four again
    });
  });
}
