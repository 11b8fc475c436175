// P3: a hit costs one round trip on one node (counted by a TCP proxy that sees every
// request/response turn), and on a Cluster its reads go out in parallel.
import { Cached, createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CountingProxy,
  type RedisCluster,
  type RedisServer,
  randomPrefix,
  startCluster,
  startCountingProxy,
  startRedis,
} from './helpers/index.js';

let server: RedisServer;
let cluster: RedisCluster;
let proxy: CountingProxy;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
  proxy = await startCountingProxy(server.port);
});
afterAll(async () => {
  await proxy?.close();
  await Promise.all([server?.stop(), cluster?.stop()]);
});

describe('single node', () => {
  it('50 concurrent callers of a cold key share one script that creates its bookkeeping, and one load', async () => {
    const client = server.client();
    const scripts: string[] = [];
    // Script calls go out as evalshaBuffer (see redis-store.ts): count them on their way.
    const scripted = client as unknown as { evalshaBuffer: (...args: unknown[]) => Promise<unknown> };
    const evalsha = scripted.evalshaBuffer.bind(client);
    scripted.evalshaBuffer = (sha: unknown, ...rest: unknown[]) => {
      scripts.push(String(sha));
      return evalsha(sha, ...rest);
    };
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    let loads = 0;
    const callers = Array.from({ length: 50 }, () =>
      cache.wrap('cold', async () => (loads++, 'v'), { tags: ['user:1'] }),
    );
    expect(await Promise.all(callers)).toEqual(Array(50).fill('v'));
    expect(loads).toBe(1);
    // One ENSURE for the key and its tags (all 50 reads found them missing), one WRITE.
    expect(scripts).toHaveLength(2);
  });

  it('serves a hit of a tagged @Cached method in exactly one round trip', async () => {
    const client = server.client({ port: proxy.port });
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    class Repo {
      @Cached({ cache, tags: (id: number) => [`user:${id}`, 'users'] })
      async find(id: number): Promise<{ id: number }> {
        return { id };
      }
    }
    const repo = new Repo();
    await repo.find(1); // miss: read, load, write (and the script is loaded)
    await repo.find(1);
    proxy.reset();
    expect(await repo.find(1)).toEqual({ id: 1 });
    expect(proxy.roundTrips()).toBe(1);

    proxy.reset();
    for (let i = 0; i < 10; i++) await repo.find(1);
    expect(proxy.roundTrips()).toBe(10);
    expect(cache.stats().hits).toBe(12);
  });

  it('sends the reads of concurrent hits together: 50 hits on 50 keys cost one round trip', async () => {
    const client = server.client({ port: proxy.port });
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    const ids = Array.from({ length: 50 }, (_, i) => i);
    for (const id of ids) await cache.set(`item:${id}`, id, { tags: [`t${id % 3}`] });
    proxy.reset();
    const values = await Promise.all(
      ids.map((id) => cache.wrap(`item:${id}`, async () => -1, { tags: [`t${id % 3}`] })),
    );
    expect(values).toEqual(ids);
    expect(proxy.roundTrips()).toBe(1);
    expect(cache.stats().hits).toBe(50);
  });

  it('sends concurrent reads as one MGET of their distinct keys, split at 1,024 keys with each read whole in one', async () => {
    const client = server.client();
    const mgets: string[][] = [];
    const counted = client as unknown as { mgetBuffer: (...args: unknown[]) => Promise<unknown> };
    const mget = counted.mgetBuffer.bind(client);
    counted.mgetBuffer = (...args: unknown[]) => {
      mgets.push((args.flat() as string[]).slice());
      return mget(...args);
    };
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    const ids = Array.from({ length: 700 }, (_, i) => i);
    for (const id of ids) await cache.set(`item:${id}`, { id }, { tags: ['shared', `own:${id}`] });
    await cache.invalidateTags([`own:7`]);
    mgets.length = 0;

    const values = await Promise.all(
      ids.map((id) => cache.wrap(`item:${id}`, async () => ({ id, loaded: true }), { tags: ['shared', `own:${id}`] })),
    );
    // Each answer is its own key's value (or its own reload, for the one invalidated).
    expect(values).toEqual(ids.map((id) => (id === 7 ? { id, loaded: true } : { id })));
    // 700 reads of 5 keys (entry, generation, namespace tag, 'shared', own tag): 2,802
    // distinct keys, in MGETs of at most 1,024 keys, each key once per MGET.
    const reads = mgets.slice(0, 3);
    expect(reads.map((keys) => keys.length <= 1_024)).toEqual([true, true, true]);
    for (const keys of reads) expect(new Set(keys).size).toBe(keys.length);
    expect(reads.reduce((sum, keys) => sum + keys.length, 0)).toBe(700 * 3 + 2 * 3);
    // A read's keys are never split: each entry key's MGET holds its generation and tags.
    for (const keys of reads) {
      for (const key of keys.filter((k) => k.endsWith(':e'))) {
        const id = /item:(\d+)/.exec(key)![1];
        expect(keys).toContain(key.replace(/:e$/, ':g'));
        expect(keys.some((k) => k.endsWith(`#own:${id}`))).toBe(true);
      }
    }
    expect(cache.stats().hits).toBe(699);
  });

  it('a client whose MGET throws instead of rejecting fails the batched reads open, alone or together', async () => {
    const client = server.client();
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    await cache.set('k', 'cached');
    (client as unknown as { mgetBuffer: () => never }).mgetBuffer = () => {
      throw new Error('client broke');
    };
    expect(await cache.wrap('k', async () => 'alone')).toBe('alone');
    expect(await Promise.all([cache.wrap('k', async () => 'a'), cache.wrap('j', async () => 'b')])).toEqual(['a', 'b']);
    expect(cache.stats().storeErrors).toBeGreaterThanOrEqual(3);
  });

  it('serves a miss in two round trips when its bookkeeping exists: one read, one conditional write', async () => {
    const client = server.client({ port: proxy.port });
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    await cache.wrap('warm', async () => 1, { tags: ['a', 'b', 'c'] }); // loads the scripts, creates the tags
    await cache.delete('cold'); // leaves the key's generation behind
    proxy.reset();
    await cache.wrap('cold', async () => 2, { tags: ['a', 'b', 'c'] });
    expect(proxy.roundTrips()).toBe(2);
  });

  it('adds one round trip to a read that finds bookkeeping missing (a key never read), for all of it at once', async () => {
    const client = server.client({ port: proxy.port });
    const cache = createCache({ store: redisStore({ client, prefix: server.newPrefix() }), setAsDefault: false });
    await cache.wrap('warm', async () => 1); // loads the scripts on this connection's server
    proxy.reset();
    // The generation and three tags are missing: one script creates all four.
    await cache.wrap('cold', async () => 2, { tags: ['a', 'b', 'c'] });
    expect(proxy.roundTrips()).toBe(3);
    proxy.reset();
    expect(await cache.wrap('cold', async () => 3, { tags: ['a', 'b', 'c'] })).toBe(2);
    expect(proxy.roundTrips()).toBe(1);
  });
});

describe('Cluster', () => {
  it('sends the entry read and the tag read of one hit in parallel, each once', async () => {
    const client = cluster.client();
    const cache = createCache({ store: redisStore({ client, prefix: randomPrefix() }), setAsDefault: false });
    await cache.wrap('user:1', async () => 'Ada', { tags: ['user:1'] });
    await cache.wrap('user:1', async () => 'Ada', { tags: ['user:1'] });

    // Record, in order, when each command is sent and when its reply arrives.
    const timeline: string[] = [];
    const original = client.sendCommand.bind(client);
    (client as Cluster & { sendCommand: typeof original }).sendCommand = ((
      command: Parameters<typeof original>[0],
      ...rest: unknown[]
    ) => {
      timeline.push(`send ${command.name}`);
      void command.promise.then(
        () => timeline.push(`reply ${command.name}`),
        () => timeline.push(`error ${command.name}`),
      );
      return (original as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof original;
    try {
      expect(await cache.wrap('user:1', async () => 'other', { tags: ['user:1'] })).toBe('Ada');
    } finally {
      (client as Cluster & { sendCommand: typeof original }).sendCommand = original;
    }
    const sends = timeline.filter((event) => event.startsWith('send'));
    expect(sends).toEqual(['send mget', 'send mget']);
    // Both requests left before either reply came back: one round trip of latency.
    expect(timeline.slice(0, 2).every((event) => event.startsWith('send'))).toBe(true);
  });
});
