// P1 visibility and P2 no-resurrection across real processes sharing one Redis (a
// single node and a Cluster): once an invalidation resolves in one process, no reader
// in another gets the old value, and a load that began before it is not served after it.
import { type Cache, createCache } from '@cachewise/core';
import { deferred } from '@cachewise/core/testing';
import { redisStore } from '@cachewise/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisCluster, type RedisServer, startCluster, startRedis } from './helpers/index.js';
import { type PeerProcess, startPeer } from './peer-process.js';

type Reply = { value: unknown; loaded: boolean };

let server: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

for (const topology of ['single node', 'Cluster'] as const) {
  describe(`across processes (${topology})`, () => {
    let peer: PeerProcess;
    let cache: Cache;
    const namespace = 'p1';

    beforeAll(async () => {
      const prefix = server.newPrefix(); // also fine on the Cluster
      const isCluster = topology === 'Cluster';
      const client = isCluster ? cluster.client() : server.client();
      cache = createCache({ store: redisStore({ client, prefix }), namespace, jitter: 0, setAsDefault: false });
      peer = await startPeer({
        ...(isCluster ? { clusterPort: cluster.nodes[0]!.port } : { url: server.url }),
        prefix,
        namespace,
      });
    });
    afterAll(async () => {
      await peer?.stop();
    });

    it('P1: after invalidateTags, delete or clear resolves here, the other process never reads the old value', async () => {
      const invalidations = [
        (key: string) => cache.invalidateTags([`tag-${key}`]),
        (key: string) => cache.delete(key),
        () => cache.clear(),
      ];
      for (let round = 0; round < 30; round++) {
        const key = `k${round}`;
        await cache.set(key, `old-${round}`, { tags: [`tag-${key}`] });
        // The peer sees the entry: it is shared.
        expect(await peer.send<Reply>('wrap', { key, value: 'peer-loaded', tags: [`tag-${key}`] })).toMatchObject({
          value: `old-${round}`,
          loaded: false,
        });
        await invalidations[round % invalidations.length]!(key);
        const after = await peer.send<Reply>('wrap', { key, value: `new-${round}`, tags: [`tag-${key}`] });
        expect(after).toMatchObject({ value: `new-${round}`, loaded: true });
      }
    });

    it('P1 the other way: an invalidation in the other process is visible here', async () => {
      await cache.set('shared', 'old', { tags: ['shared-tag'] });
      await peer.send('invalidate', { tags: ['shared-tag'] });
      expect(await cache.getEntry('shared')).toBeUndefined();
    });

    for (const [what, invalidate] of [
      ['a tag invalidation', (key: string) => peer.send('invalidate', { tags: [`tag-${key}`] })],
      ['a delete', (key: string) => peer.send('delete', { key })],
      ['clear()', () => peer.send('clear')],
    ] as const) {
      it(`P2: a load that began before ${what} in another process is not served as fresh after it`, async () => {
        const key = `race-${what}`;
        const tags = [`tag-${key}`];
        const gate = deferred<string>();
        const started = deferred<void>();
        const slow = cache.wrap(key, () => (started.resolve(), gate.promise), { tags });
        await started.promise; // this process has read the store and is loading
        await invalidate(key); // resolved in the other process
        gate.resolve('stale'); // the old load finishes and writes after the invalidation
        expect(await slow).toBe('stale');
        // Neither process serves it.
        expect(await peer.send<Reply>('wrap', { key, value: 'fresh', tags })).toMatchObject({
          value: 'fresh',
          loaded: true,
        });
        expect(await cache.get(key)).toBe('fresh');
      });
    }
  });
}
