// redisBus() when Redis fails: killed and restarted on the same port, paused (SIGSTOP),
// a subscriber connection killed by the server. Every call settles within its bound (the
// bound is the property, so it is asserted, generously), the subscriber is told down and
// then up, and one outage is one report. The servers are private: they are killed.
import { isStoreError } from '@cachewise/core';
import { redisBus } from '@cachewise/redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { busTracker, freshChannel, listener, reporter, settle } from './bus-listener.js';
import { type RedisServer, startRedis } from './helpers/index.js';

const TIMEOUT_MS = 300;
/** What a bounded call may take past its bound on a loaded 2-core machine. */
const SLACK_MS = 2_000;

let server: RedisServer;
let printed: MockInstance;
const buses = busTracker();
beforeAll(async () => {
  server = await startRedis({ private: true });
});
afterAll(() => server?.stop());
beforeEach(() => {
  printed = vi.spyOn(console, 'error');
});
afterEach(async () => {
  // A test that fails midway may leave the server paused: later tests need it.
  await server.resume().catch(() => {});
  await buses.closeAll();
  // ioredis prints "[ioredis] Unhandled error event" for a connection nobody listens to.
  expect(printed.mock.calls.flat().join('\n')).not.toMatch(/Unhandled error event/);
  printed.mockRestore();
});

/** A client as ioredis makes it by default: offline queue on, 20 retries per command, no command timeout. */
const defaultClient = () => server.client({ maxRetriesPerRequest: 20, connectTimeout: 10_000 });

/** Publishes until it succeeds (the publisher's own client has to reconnect first). */
async function publishWhenBack(bus: ReturnType<typeof redisBus>, channel: string, message: string): Promise<void> {
  await vi.waitFor(() => bus.publish(channel, message), { timeout: 15_000, interval: 50 });
}

describe('server killed and restarted on the same port', () => {
  it('tells state(false), reports the outage once, rejects publish within the bound, then state(true) and messages flow again', async () => {
    const client = defaultClient();
    const bus = buses.track(redisBus({ client, timeout: TIMEOUT_MS }));
    const found = reporter();
    bus.attach?.(found);
    const attempts = vi.spyOn(client, 'duplicate'); // one per subscriber connection made
    const publisherClient = defaultClient();
    const publisher = buses.track(redisBus({ client: publisherClient, timeout: TIMEOUT_MS }));
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    await publisher.publish(channel, 'before');
    await on.receive(1);

    await server.kill();
    await on.toldState(false);
    // Both clients know the connection is gone (a command written before that would be
    // resent by ioredis on reconnection: see the paused server below).
    await vi.waitFor(() => expect([client.status, publisherClient.status]).not.toContain('ready'));
    for (const sender of [bus, publisher]) {
      const during = await settle(() => sender.publish(channel, 'during the outage'));
      expect(during.ok).toBe(false);
      expect(isStoreError(during.error)).toBe(true);
      expect((during.error as Error).message).toMatch(
        /redis bus: publish on '.*' got no answer within timeout \(300 ms/,
      );
      expect(during.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    }
    // Many publishes waiting at once share one pair of listeners on the client.
    const listeners = client.listenerCount('ready');
    const many = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => bus.publish(channel, `many ${i}`)));
    expect(many.every((outcome) => outcome.status === 'rejected')).toBe(true);
    expect(client.listenerCount('ready')).toBeLessThanOrEqual(listeners + 1);
    // Several reconnection attempts, one report.
    await vi.waitFor(() => expect(attempts.mock.calls.length).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    expect(found.errors).toHaveLength(1);
    expect(found.errors[0]!.message).toMatch(
      /^redis bus: subscriber connection lost \(reported once until subscribed again\)/,
    );

    await server.restart();
    await on.toldState(true);
    await publishWhenBack(publisher, channel, 'after');
    await on.receive(2);
    // What the bus did not send while the clients were reconnecting is never sent later
    // (it was not left in their offline queues).
    expect(on.messages).toEqual(['before', 'after']);
    expect(on.states).toEqual([false, true]);

    // A second outage is a second report.
    await server.kill();
    await on.toldState(false);
    await vi.waitFor(() => expect(found.errors).toHaveLength(2));
    await server.restart();
    await on.toldState(true);
    expect(on.states).toEqual([false, true, false, true]);
  });

  it('subscribe while Redis is down rejects within the bound; once it is back, subscribe works', async () => {
    const bus = buses.track(redisBus({ client: defaultClient(), timeout: TIMEOUT_MS }));
    await server.kill();
    try {
      const attempt = await settle(() => bus.subscribe(freshChannel(), listener()));
      expect(attempt.ok).toBe(false);
      expect((attempt.error as Error).message).toMatch(
        /redis bus: could not subscribe to '.*' within timeout \(300 ms\)/,
      );
      expect(attempt.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      await server.restart();
    }
    const channel = freshChannel();
    const on = listener();
    await vi.waitFor(() => bus.subscribe(channel, on), { timeout: 15_000, interval: 50 });
    await publishWhenBack(bus, channel, 'back');
    expect(await on.receive(1)).toEqual(['back']);
  });

  it('close() finishes within the bound while the server is dead', async () => {
    const bus = redisBus({ client: defaultClient(), timeout: TIMEOUT_MS });
    await bus.subscribe(freshChannel(), listener());
    await server.kill();
    try {
      const closed = await settle(async () => bus.close?.());
      expect(closed.ok).toBe(true);
      expect(closed.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      await server.restart();
    }
  });
});

describe('the subscriber connection dropped by the server (CLIENT KILL TYPE pubsub)', () => {
  for (const heartbeat of ['1s', false] as const) {
    it(`is told state(false) then state(true), and receives again (heartbeat ${heartbeat})`, async () => {
      const bus = buses.track(redisBus({ client: server.client(), heartbeat }));
      const found = reporter();
      bus.attach?.(found);
      const channel = freshChannel();
      const on = listener();
      await bus.subscribe(channel, on);
      await server.client().call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      await on.toldState(false);
      await on.toldState(true);
      await bus.publish(channel, 'after the drop');
      expect(await on.receive(1)).toEqual(['after the drop']);
      expect(on.states).toEqual([false, true]);
      expect(found.errors).toHaveLength(1);
    });
  }
});

describe('server paused (SIGSTOP)', () => {
  it('publish rejects within the bound, the heartbeat tells state(false), close() finishes within the bound, and after SIGCONT it recovers', async () => {
    const client = defaultClient(); // no command timeout: only the bus bounds the wait
    const bus = buses.track(redisBus({ client, timeout: TIMEOUT_MS, heartbeat: '100ms' }));
    const closing = redisBus({ client: defaultClient(), timeout: TIMEOUT_MS });
    const channel = freshChannel();
    const on = listener();
    await bus.subscribe(channel, on);
    await closing.subscribe(freshChannel(), listener());
    const plain: string[] = []; // a plain ioredis subscriber, no heartbeat: its connection stays
    const plainSubscriber = server.client();
    plainSubscriber.on('message', (_channel: string, message: string) => plain.push(message));
    await plainSubscriber.subscribe(channel);

    await server.pause();
    try {
      const published = await settle(() => bus.publish(channel, 'while paused'));
      expect(published.ok).toBe(false);
      expect(isStoreError(published.error)).toBe(true);
      expect(published.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      await on.toldState(false); // the connection is open, but PING gets no answer
      const closed = await settle(async () => closing.close?.());
      expect(closed.ok).toBe(true);
      expect(closed.ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      await server.resume();
    }
    await on.toldState(true);
    await publishWhenBack(bus, channel, 'resumed');
    await vi.waitFor(() => expect(on.messages).toContain('resumed'), { timeout: 10_000 });
    expect(on.states).toEqual([false, true]);
    // The publish that rejected reached the stalled server, which delivered it on resuming.
    await vi.waitFor(() => expect(plain).toEqual(['while paused', 'resumed']), { timeout: 10_000 });
  });
});
