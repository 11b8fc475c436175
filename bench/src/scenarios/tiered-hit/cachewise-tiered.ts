import 'reflect-metadata';
import { type Bus, type Cache, createCache, type Duration, type Store, tiered } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import type { Redis } from 'ioredis';
import { type PeerContext, PeerUnavailableError } from '../peer.js';
import { connectIoredis } from '../redis-hit/connection.js';

/** What the cachewise tiered rows have in common, for their setup notes. */
export const TIERED_NOTE =
  "`tiered({ l1: memoryStore({ maxEntries: capacity }), l2: redisStore({ client }), bus: redisBus({ client }), l1Ttl: '30s' })`, ttl 5m";

interface RedisModule {
  redisStore(options: { client: Redis; prefix?: string }): Store;
  redisBus(options: { client: Redis }): Bus;
}

/**
 * `redisStore` and `redisBus` from @cachewise/redis, loaded at run time: the bench builds
 * even when that package does not, and the tiered rows are then skipped with the reason.
 */
export async function loadRedisModule(): Promise<RedisModule> {
  const specifier: string = '@cachewise/redis';
  let module: Partial<RedisModule>;
  try {
    module = (await import(specifier)) as Partial<RedisModule>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PeerUnavailableError(`@cachewise/redis did not load (not built?): ${reason}`);
  }
  if (typeof module.redisStore !== 'function' || typeof module.redisBus !== 'function')
    throw new PeerUnavailableError('@cachewise/redis does not export redisStore and redisBus');
  return module as RedisModule;
}

/** What a scenario adds to the shared setup. */
export interface TieredExtras {
  namespace?: string;
  storeTimeout?: Duration;
  circuitBreaker?: { failures: number; cooldown: Duration };
  /** Called with each bus message right after the tiered store has handled it (dropped its L1 copies). */
  observe?: (message: string) => void;
  /** Called when the bus subscription goes down or comes back. */
  observeState?: (receiving: boolean) => void;
}

export interface TieredCache {
  cache: Cache;
  client: Redis;
  close(): Promise<void>;
}

/**
 * The distributed setup: a memory L1 in front of a Redis L2, kept coherent by a
 * Redis bus, all on one plain ioredis client (the bus duplicates it for its subscriber).
 * Resolves once the bus is subscribed, so the L1 is trusted from the first call.
 */
export async function createTieredCache(context: PeerContext, extra: TieredExtras = {}): Promise<TieredCache> {
  const { redisStore, redisBus } = await loadRedisModule();
  const client = await connectIoredis(context);
  // As a service would: without a listener, ioredis prints every failed reconnection (tiered-outage kills Redis).
  client.on('error', () => {});
  const bus = observedBus(redisBus({ client }), extra);
  const cache = createCache({
    store: tiered({
      l1: memoryStore({ maxEntries: context.capacity }),
      l2: redisStore({ client, prefix: 'cw' }),
      bus: bus.bus,
      l1Ttl: '30s',
    }),
    namespace: extra.namespace ?? 'bench',
    ttl: '5m',
    ...(extra.storeTimeout === undefined ? {} : { storeTimeout: extra.storeTimeout }),
    ...(extra.circuitBreaker === undefined ? {} : { circuitBreaker: extra.circuitBreaker }),
  });
  await bus.subscribed;
  return {
    cache,
    client,
    close: async () => {
      await cache.close();
      if (client.status !== 'end') client.disconnect();
    },
  };
}

/**
 * The bus, passed through, with a promise that settles once the tiered store's
 * subscription is acknowledged (until then the store does not read its L1), and with
 * `observe` called after the store's own handler, so it sees the moment the L1 drop is done.
 */
function observedBus(inner: Bus, extra: TieredExtras): { bus: Bus; subscribed: Promise<void> } {
  let settle: (error?: unknown) => void = () => {};
  const subscribed = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  const bus: Bus = {
    name: inner.name,
    publish: (channel, message) => inner.publish(channel, message),
    subscribe: async (channel, handlers) => {
      try {
        const { observe, observeState } = extra;
        const unsubscribe = await inner.subscribe(channel, {
          message: observe
            ? (text) => {
                handlers.message(text);
                observe(text);
              }
            : handlers.message,
          state: observeState
            ? (receiving) => {
                handlers.state(receiving);
                observeState(receiving);
              }
            : handlers.state,
        });
        settle();
        return unsubscribe;
      } catch (error) {
        settle(error);
        throw error;
      }
    },
    ...(inner.attach ? { attach: (reporter) => inner.attach!(reporter) } : {}),
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
  return { bus, subscribed };
}
