// redisBus() on a healthy Redis, single node and Cluster: publish and subscribe across
// connections, order, channel isolation, own messages, handler failures, size limits,
// unsubscribe and close. Faults are in bus-faults.test.ts, processes in bus-processes.test.ts.
import type { Bus } from '@cachewise/core';
import { isCacheOptionsError, isStoreError } from '@cachewise/core';
import { redisBus } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashSlot } from '../src/bus-slot.js';
import { busTracker, freshChannel, listener, reporter } from './bus-listener.js';
import { type RedisCluster, type RedisServer, startCluster, startRedis } from './helpers/index.js';

let server: RedisServer;
let cluster: RedisCluster;
const buses = busTracker();
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startCluster()]);
});
afterEach(() => buses.closeAll());
afterAll(async () => {
  await Promise.all([server?.stop(), cluster?.stop()]);
});

/** Subscriber connections the server sees (CLIENT LIST flags `P`: pub/sub). */
async function subscriberConnections(client: Redis): Promise<number> {
  const list = (await client.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  return list.split('\n').filter((line) => line.trim() !== '').length;
}

describe('two buses on two connections (single node)', () => {
  it('a message published on one reaches the other, in order, on its channel only; its own subscriber gets it too', async () => {
    const a = buses.track(redisBus({ client: server.client() }));
    const b = buses.track(redisBus({ client: server.client() }));
    const channel = freshChannel();
    const other = freshChannel();
    const onA = listener();
    const onB = listener();
    const onOther = listener();
    await a.subscribe(channel, onA);
    await b.subscribe(channel, onB);
    await b.subscribe(other, onOther);
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    for (const message of sent) await a.publish(channel, message);
    await b.publish(other, 'elsewhere');
    expect(await onB.receive(200)).toEqual(sent);
    expect(await onA.receive(200)).toEqual(sent); // receivers skip their own: the bus does not
    expect(await onOther.receive(1)).toEqual(['elsewhere']);
    expect(onB.messages).toEqual(sent); // nothing from the other channel
    expect(onA.states).toEqual([]); // no state change on a healthy connection
  });

  it('keeps order when publishes are not awaited one by one', async () => {
    const a = buses.track(redisBus({ client: server.client() }));
    const b = buses.track(redisBus({ client: server.client() }));
    const channel = freshChannel();
    const onB = listener();
    await b.subscribe(channel, onB);
    const sent = Array.from({ length: 1_000 }, (_, i) => `m${i}`);
    await Promise.all(sent.map((message) => a.publish(channel, message)));
    expect(await onB.receive(1_000)).toEqual(sent);
  });

  it('moves any string as is: empty, unicode, newlines, a message of exactly maxMessageSize bytes', async () => {
    const bus = buses.track(redisBus({ client: server.client(), maxMessageSize: 1_000 }));
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    const sent = ['', 'é😀\u0000\r\n', `${'x'.repeat(996)}😀`]; // the last one is 1000 bytes
    for (const message of sent) await bus.publish(channel, message);
    expect(await on.receive(3)).toEqual(sent);
  });

  it('one subscriber connection per bus, shared by its subscriptions, opened on the first subscribe and closed with the last', async () => {
    const admin = server.client();
    const before = await subscriberConnections(admin);
    const bus = buses.track(redisBus({ client: server.client() }));
    await bus.publish(freshChannel(), 'no subscriber yet');
    expect(await subscriberConnections(admin)).toBe(before);
    const unsubscribes = [];
    for (let i = 0; i < 5; i++) unsubscribes.push(await bus.subscribe(freshChannel(), listener()));
    expect(await subscriberConnections(admin)).toBe(before + 1);
    for (const unsubscribe of unsubscribes) await unsubscribe();
    await expect.poll(() => subscriberConnections(admin)).toBe(before);
  });

  it('subscriptions made all at once, while the connection is being set up, each receive their channel', async () => {
    const bus = buses.track(redisBus({ client: server.client() }));
    const channels = Array.from({ length: 20 }, freshChannel);
    const listeners = channels.map(() => listener());
    const subscribing = channels.map((channel, i) => bus.subscribe(channel, listeners[i]!));
    // More, one per tick, while the first SUBSCRIBE is in flight.
    const late = Array.from({ length: 20 }, freshChannel);
    const lateListeners = late.map(() => listener());
    for (const [i, channel] of late.entries()) {
      subscribing.push(bus.subscribe(channel, lateListeners[i]!));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(subscribing);
    for (const channel of [...channels, ...late]) await bus.publish(channel, channel);
    for (const [i, on] of [...listeners, ...lateListeners].entries()) {
      expect(await on.receive(1)).toEqual([[...channels, ...late][i]]);
    }
  });

  it('two subscriptions to one channel both receive; unsubscribing one leaves the other receiving', async () => {
    const bus = buses.track(redisBus({ client: server.client() }));
    const channel = freshChannel();
    const first = listener();
    const second = listener();
    const unsubscribeFirst = await bus.subscribe(channel, first);
    await bus.subscribe(channel, second);
    await bus.publish(channel, 'both');
    await first.receive(1);
    await second.receive(1);
    await unsubscribeFirst();
    await unsubscribeFirst(); // twice is fine
    await bus.publish(channel, 'second only');
    expect(await second.receive(2)).toEqual(['both', 'second only']);
    expect(first.messages).toEqual(['both']);
  });

  it('a handler that throws is reported once and never stops the bus or other subscriptions', async () => {
    const bus = buses.track(redisBus({ client: server.client() }));
    const found = reporter();
    bus.attach?.(found);
    const channel = freshChannel();
    await bus.subscribe(channel, {
      message: () => {
        throw new Error('handler bug');
      },
      state: () => {},
    });
    const healthy = listener();
    await bus.subscribe(channel, healthy);
    for (let i = 0; i < 10; i++) await bus.publish(channel, `m${i}`);
    expect(await healthy.receive(10)).toHaveLength(10);
    expect(found.errors).toHaveLength(1);
    expect(found.errors[0]!.message).toMatch(/a message handler on 'cw-test-bus:.*' threw .*handler bug/);
  });

  it('refuses to publish a message over maxMessageSize, with a StoreError, and sends nothing', async () => {
    const bus = buses.track(redisBus({ client: server.client(), maxMessageSize: 100 }));
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    const error = await bus.publish(channel, 'é'.repeat(51)).catch((e: unknown) => e); // 102 bytes
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/102 bytes .* over maxMessageSize \(100\)/);
    await bus.publish(channel, 'after');
    expect(await on.receive(1)).toEqual(['after']);
  });

  it('drops and reports a received message over maxMessageSize (from a foreign publisher)', async () => {
    const bus = buses.track(redisBus({ client: server.client(), maxMessageSize: 100 }));
    const found = reporter();
    bus.attach?.(found);
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    await server.client().publish(channel, 'x'.repeat(101));
    await bus.publish(channel, 'small');
    expect(await on.receive(1)).toEqual(['small']);
    expect(found.errors.map((e) => e.message)).toEqual([expect.stringMatching(/dropped a message of 101 bytes/)]);
  });

  it('channels are server-wide: a bus on database 1 hears one on database 0', async () => {
    const onDb1 = buses.track(redisBus({ client: server.client({ db: 1 }) }));
    const onDb0 = buses.track(redisBus({ client: server.client({ db: 0 }) }));
    const channel = freshChannel();
    const on = listener();
    await onDb1.subscribe(channel, on);
    await onDb0.publish(channel, 'across databases');
    expect(await on.receive(1)).toEqual(['across databases']);
  });

  it('refuses bad arguments with a CacheOptionsError that names them', async () => {
    const bus = buses.track(redisBus({ client: server.client() }));
    const cases: Array<[() => Promise<unknown>, RegExp]> = [
      [() => bus.publish('', 'm'), /publish: `channel` must be a non-empty string; got ""/],
      [() => bus.publish(42 as never, 'm'), /publish: `channel` must be a non-empty string; got 42/],
      [() => bus.publish('c', { a: 1 } as never), /publish: `message` must be a string; got a/],
      [() => bus.subscribe('', listener()), /subscribe: `channel` must be a non-empty string/],
      [
        () => bus.subscribe('c', { message: () => {} } as never),
        /`handlers` must be an object with `message` and `state`/,
      ],
      [() => bus.subscribe('c', null as never), /`handlers` must be .*; got null/],
    ];
    for (const [call, message] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(isCacheOptionsError(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('close() unsubscribes, closes its own connection and never the client; later calls reject', async () => {
    const client = server.client();
    const admin = server.client();
    const before = await subscriberConnections(admin);
    const bus = redisBus({ client });
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    expect(await subscriberConnections(admin)).toBe(before + 1);
    await bus.close?.();
    await bus.close?.(); // twice is fine
    await expect.poll(() => subscriberConnections(admin)).toBe(before);
    expect(await client.ping()).toBe('PONG'); // the user's client is untouched
    await client.publish(channel, 'after close');
    expect(isStoreError(await bus.publish(channel, 'm').catch((e: unknown) => e))).toBe(true);
    expect(isStoreError(await bus.subscribe(channel, listener()).catch((e: unknown) => e))).toBe(true);
    expect(on.messages).toEqual([]);
    expect(on.states).toEqual([]); // closing is not an outage
  });

  it('close() during a subscribe rejects that subscribe', async () => {
    const bus = redisBus({ client: server.client() });
    const subscribing = bus.subscribe(freshChannel(), listener()).catch((e: unknown) => e);
    await bus.close?.();
    const error = await subscribing;
    // Either it was subscribed already (then unsubscribed by close) or it was refused.
    if (typeof error !== 'function') expect(isStoreError(error)).toBe(true);
  });

  it('publish rejects at once, with a StoreError, when the client was closed by its owner', async () => {
    const client = server.client();
    const bus = buses.track(redisBus({ client, timeout: '1h' }));
    await client.quit();
    const error = await bus.publish(freshChannel(), 'm').catch((e: unknown) => e);
    expect(isStoreError(error)).toBe(true);
    expect((error as Error).message).toMatch(/the client (is|was) closed \(status 'end'\)/);
  });

  it('works with a lazyConnect client that has not connected yet', async () => {
    const lazy = server.client({ lazyConnect: true });
    const bus = buses.track(redisBus({ client: lazy }));
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    await bus.publish(channel, 'from a lazy client');
    expect(await on.receive(1)).toEqual(['from a lazy client']);
  });
});

describe('on a Cluster (3 masters)', () => {
  it('a message published through any node reaches a subscriber, in order', async () => {
    const channels = Array.from({ length: 6 }, freshChannel); // hashing to different slots
    const subscriberBus = buses.track(redisBus({ client: cluster.client() }));
    const publisherBus = buses.track(redisBus({ client: cluster.client() }));
    const listeners = channels.map(() => listener());
    for (const [i, channel] of channels.entries()) await subscriberBus.subscribe(channel, listeners[i]!);
    for (const [i, channel] of channels.entries()) {
      for (let n = 0; n < 20; n++) await publisherBus.publish(channel, `${i}:${n}`);
    }
    for (const [i, on] of listeners.entries()) {
      expect(await on.receive(20)).toEqual(Array.from({ length: 20 }, (_, n) => `${i}:${n}`));
    }
  });

  it('PUBLISH sent to each node by hand reaches the bus', async () => {
    const bus = buses.track(redisBus({ client: cluster.client() }));
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    const nodes = cluster.nodes.map(({ port }) => server.client({ port, host: '127.0.0.1' }));
    for (const [i, node] of nodes.entries()) await node.publish(channel, `via node ${i}`);
    // Each node forwards to the others over the cluster bus: messages published through
    // different nodes have no order between them (the bus's own publishes all go through
    // the channel's slot owner, which is what keeps one publisher's order).
    expect((await on.receive(3)).sort()).toEqual(['via node 0', 'via node 1', 'via node 2']);
  });

  it('works with a lazyConnect Cluster client that knows no node yet', async () => {
    const bus = buses.track(redisBus({ client: cluster.client({ lazyConnect: true }) }));
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    await bus.publish(channel, 'from a lazy Cluster');
    expect(await on.receive(1)).toEqual(['from a lazy Cluster']);
  });

  it('close() closes its subscriber connection, not the Cluster client', async () => {
    const client = cluster.client();
    const bus: Bus = redisBus({ client });
    await bus.subscribe(freshChannel(), listener());
    await bus.close?.();
    expect(await client.set('{bus}:k', 'v')).toBe('OK');
  });
});

describe('hashSlot (where a Cluster publish goes)', () => {
  it('agrees with CLUSTER KEYSLOT, hash tags included', async () => {
    const node = server.client({ port: cluster.nodes[0]!.port, host: '127.0.0.1' });
    const names = ['', 'foo', '123456789', 'cw:bus:v1:shop', '{user1000}.following', 'a{}b{c}', 'é😀', freshChannel()];
    for (const name of names) expect(hashSlot(name), name).toBe(await node.call('CLUSTER', 'KEYSLOT', name));
  });
});
