// The same application on a real Redis (a private redis-server on a free port), on both
// adapters; on shutdown the module closes the clients its stores created, never yours.
import { Cache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../redis/test/helpers/index.js';
import { CachewiseModule } from '../src/index.js';
import { ADAPTERS, type Served, serve } from './app.js';
import { httpSuite } from './http-suite.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.stop();
});

/** Connections the server has open, by the name each client gave itself. */
async function clientNames(client: Redis): Promise<string[]> {
  const list = (await client.call('CLIENT', 'LIST')) as string;
  return list
    .trim()
    .split('\n')
    .map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '');
}

describe.each(ADAPTERS)('%s, Redis store', (adapter) => {
  let served: Served;
  let client: Redis;
  beforeAll(async () => {
    client = server.client();
    served = await serve(
      adapter,
      CachewiseModule.forRootAsync({
        useFactory: () => ({ store: redisStore({ client, prefix: server.newPrefix() }), namespace: 'e2e' }),
      }),
    );
  });
  afterAll(async () => {
    await served?.close();
    client?.disconnect();
  });
  httpSuite(() => served);

  it('closes the client its store created on shutdown, and leaves the one passed in open', async () => {
    const mine = server.client();
    const name = `owned-${adapter}`;
    const other = await serve(
      adapter,
      CachewiseModule.forRoot({
        store: () =>
          redisStore({ url: server.url, prefix: server.newPrefix(), clientOptions: { connectionName: name } }),
      }),
    );
    // The store connects its client in the background: wait until the server lists it.
    while (!(await clientNames(mine)).includes(name)) await new Promise((resolve) => setTimeout(resolve, 20));
    await (await fetch(`${other.url}/users/1`)).arrayBuffer();
    await other.close();
    // QUIT is answered before the server drops the connection: it is gone once close() resolved.
    expect(await clientNames(mine)).not.toContain(name);
    // The client given to the first application's store is still open and working.
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
    mine.disconnect();
  });
});

describe('shutdown while the Redis server does not answer', () => {
  it('app.close() finishes, its caches closed, while the server is paused (SIGSTOP)', async () => {
    @Module({
      imports: [
        CachewiseModule.forRoot({
          store: () => redisStore({ url: server.url, prefix: server.newPrefix() }),
          storeTimeout: '100ms',
        }),
      ],
    })
    class PausedApp {}
    const app = await NestFactory.createApplicationContext(PausedApp, { logger: false, abortOnError: false });
    const cache = app.get(Cache);
    await cache.set('k', 1);
    await server.pause();
    try {
      // Queued work for the paused server: an invalidation waits for its replay on close.
      await expect(cache.invalidateTags(['t'])).rejects.toThrow();
      await app.close();
      expect(cache.closed).toBe(true);
    } finally {
      await server.resume();
    }
  });
});
