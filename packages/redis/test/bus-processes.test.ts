// redisBus() across real processes: three processes subscribed to one channel each
// publish N messages; every process receives all 3N (none lost on a healthy connection),
// each publisher's in the order it sent them. On a single node and on a Cluster.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshChannel } from './bus-listener.js';
import { type BusPeer, startBusPeer } from './bus-peer.js';
import { type RedisCluster, type RedisServer, startCluster, startRedis } from './helpers/index.js';

const PROCESSES = 3;
const PER_PUBLISHER = 300;

let server: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

for (const topology of ['single node', 'Cluster'] as const) {
  describe(`three processes (${topology})`, () => {
    let peers: BusPeer[] = [];
    afterAll(async () => {
      await Promise.all(peers.map((peer) => peer.stop()));
    });

    it(`each receives all ${PROCESSES} × ${PER_PUBLISHER} messages, in per-publisher order`, async () => {
      const channel = freshChannel();
      const where = topology === 'Cluster' ? { clusterPort: cluster.nodes[0]!.port } : { url: server.url };
      peers = await Promise.all(
        Array.from({ length: PROCESSES }, (_, i) => startBusPeer({ ...where, channel, name: `p${i}` })),
      );
      await Promise.all(peers.map((peer) => peer.send('subscribe')));
      await Promise.all(peers.map((peer) => peer.send('publish', { count: PER_PUBLISHER })));
      for (const peer of peers) {
        const { received, states } = await vi.waitFor(
          async () => {
            const reply = await peer.send<{ received: string[]; states: boolean[] }>('received');
            if (reply.received.length < PROCESSES * PER_PUBLISHER) throw new Error(`${reply.received.length} so far`);
            return reply;
          },
          { timeout: 20_000, interval: 50 },
        );
        expect(received).toHaveLength(PROCESSES * PER_PUBLISHER);
        for (let i = 0; i < PROCESSES; i++) {
          const fromOne = received.filter((message) => message.startsWith(`p${i}:`));
          expect(fromOne).toEqual(Array.from({ length: PER_PUBLISHER }, (_, n) => `p${i}:${n}`));
        }
        expect(states).toEqual([]);
      }
    });
  });
}
