import { connect, createServer, type Socket } from 'node:net';
import { LOCALHOST } from './free-port.js';

export interface CountingProxy {
  /** Where clients connect (127.0.0.1). */
  readonly port: number;
  /** Turns counted since start or the last reset(), summed over all connections. */
  roundTrips(): number;
  /** Zero the count. Call it while the client is idle (e.g. after `await client.ping()`). */
  reset(): void;
  /** Close the listener and every proxied connection. */
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of a Redis server that counts request/response turns, so tests can
 * assert how many network round trips an operation costs without timing anything.
 *
 * What counts: per connection, a turn starts when the client sends bytes and either nothing
 * was sent before or the proxy has forwarded server bytes back since the client last sent.
 * So it counts latency-bound waits, not commands:
 * - a pipeline (or MULTI/EXEC, or a script) sent in one write is 1;
 * - three awaited commands in a row are 3;
 * - commands the client sends while earlier replies are still outstanding join the current
 *   turn as long as no reply was forwarded in between. Commands issued back to back without
 *   a pipeline usually land in one turn on loopback, but a reply can slip in between, so do
 *   not assert exact counts for them.
 * - the connection handshake (ioredis sends INFO and CLIENT SETINFO) counts too: reset()
 *   after the client is ready.
 * - server bytes nobody asked for (pub/sub messages) also end a turn.
 * Concurrent connections each count their own turns and the results are added.
 */
export async function startCountingProxy(targetPort: number, targetHost = LOCALHOST): Promise<CountingProxy> {
  let trips = 0;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    // No Nagle delays: the proxy should not change when bytes move, only watch them.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    let turnOpen = false;
    // Test traffic is small, so backpressure is ignored; net.Socket buffers writes made
    // before `upstream` has connected.
    client.on('data', (chunk) => {
      if (!turnOpen) {
        trips++;
        turnOpen = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      client.write(chunk);
      turnOpen = false;
    });
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) socket.on('error', teardown).on('close', teardown);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Port 0 on the listener itself: no probe-then-bind race.
    server.listen({ port: 0, host: LOCALHOST }, () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('proxy has no TCP address');

  return {
    port: address.port,
    roundTrips: () => trips,
    // A turn in flight stays open, so its remaining bytes are not counted again.
    reset: () => {
      trips = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
