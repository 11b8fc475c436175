import type { Bus, BusHandlers } from '@cachewise/core';
import { CacheOptionsError, StoreError } from '@cachewise/core';
import type { StoreReporter } from '@cachewise/core/store';
import { describeValue } from '@cachewise/core/store';
import type { Cluster } from 'ioredis';
import { ClientReadiness, SubscriberFactory, safeCause } from './bus-connection.js';
import { type RedisBusOptions, type ResolvedBusOptions, resolveBusOptions } from './bus-options.js';
import { publishTarget } from './bus-slot.js';
import { BusSubscriber } from './bus-subscriber.js';

/**
 * An invalidation bus over Redis pub/sub, for `tiered()` caches: messages are published
 * with your client (plain PUBLISH; on a Cluster, through the master that owns the
 * channel's slot, so that they stay in order) and received on one subscriber
 * connection per bus, duplicated from it. Every wait is bounded by `timeout`; a dropped
 * or silent subscriber connection is told to subscribers as `state(false)`, and
 * `state(true)` follows once it is subscribed again.
 *
 * @example
 * import { tiered } from '@cachewise/core';
 * import { memoryStore } from '@cachewise/memory';
 * import { redisBus, redisStore } from '@cachewise/redis';
 *
 * const store = tiered({
 *   l1: memoryStore({ maxEntries: 50_000 }),
 *   l2: redisStore({ client }),
 *   bus: redisBus({ client, timeout: '500ms' }),
 * });
 */
export function redisBus(options: RedisBusOptions): Bus {
  return new RedisBus(resolveBusOptions(options));
}

class RedisBus implements Bus {
  readonly name = 'redis';
  readonly #options: ResolvedBusOptions;
  readonly #readiness: ClientReadiness;
  readonly #reporters = new Set<StoreReporter>();
  /** Made on the first subscribe: a bus that only publishes opens no connection. */
  #subscriber: BusSubscriber | undefined;
  #closed = false;

  constructor(options: ResolvedBusOptions) {
    this.#options = options;
    this.#readiness = new ClientReadiness(options.client);
  }

  async publish(channel: string, message: string): Promise<void> {
    checkChannel(channel, 'publish');
    if (typeof message !== 'string') {
      throw new CacheOptionsError(`redis bus: publish: \`message\` must be a string; got ${describeValue(message)}`);
    }
    if (this.#closed) throw new StoreError(`redis bus: the bus is closed; the message on '${channel}' was not sent`);
    const { maxMessageSize, timeoutMs } = this.#options;
    // UTF-16 length ≤ UTF-8 bytes ≤ 3 × length: count bytes only near the limit.
    if (message.length * 3 > maxMessageSize) {
      const bytes = Buffer.byteLength(message);
      if (bytes > maxMessageSize) {
        throw new StoreError(
          `redis bus: a message of ${bytes} bytes on '${channel}' is over maxMessageSize (${maxMessageSize}); it was not sent`,
        );
      }
    }
    let timer: NodeJS.Timeout | undefined;
    let abandoned = false;
    const send = async () => {
      await this.#readiness.wait();
      // Too late: the caller was told it failed, so it must not arrive after all.
      if (abandoned) return;
      const { client } = this.#options;
      try {
        await (client.isCluster ? publishTarget(client as Cluster, channel) : client).publish(channel, message);
      } catch (error) {
        const cause = safeCause(error);
        throw new StoreError(`redis bus: publish on '${channel}' failed: ${cause.message}`, { cause });
      }
    };
    try {
      await Promise.race([
        send(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            abandoned = true;
            reject(
              new StoreError(
                `redis bus: publish on '${channel}' got no answer within timeout (${timeoutMs} ms, client status '${this.#readiness.status}')`,
              ),
            );
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe(channel: string, handlers: BusHandlers): Promise<() => Promise<void>> {
    checkChannel(channel, 'subscribe');
    if (
      typeof handlers !== 'object' ||
      handlers === null ||
      typeof handlers.message !== 'function' ||
      typeof handlers.state !== 'function'
    ) {
      throw new CacheOptionsError(
        `redis bus: subscribe: \`handlers\` must be an object with \`message\` and \`state\` functions; got ${describeValue(handlers)}`,
      );
    }
    if (this.#closed) throw new StoreError(`redis bus: the bus is closed; cannot subscribe to '${channel}'`);
    this.#subscriber ??= new BusSubscriber({
      factory: new SubscriberFactory(this.#options.client, this.#options.timeoutMs),
      timeoutMs: this.#options.timeoutMs,
      heartbeatMs: this.#options.heartbeatMs,
      maxMessageSize: this.#options.maxMessageSize,
      report: (error) => this.#report(error),
    });
    return this.#subscriber.subscribe(channel, handlers);
  }

  attach(reporter: StoreReporter): () => void {
    this.#reporters.add(reporter);
    return () => this.#reporters.delete(reporter);
  }

  /** Unsubscribes and closes the subscriber connection (never your client), within `timeout`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#subscriber?.close();
  }

  #report(error: Error): void {
    for (const reporter of this.#reporters) {
      try {
        reporter.error(error);
      } catch {
        // A reporter's own failure must not break the bus either.
      }
    }
  }
}

function checkChannel(channel: unknown, what: string): asserts channel is string {
  if (typeof channel !== 'string' || channel.length === 0) {
    throw new CacheOptionsError(
      `redis bus: ${what}: \`channel\` must be a non-empty string; got ${describeValue(channel)}`,
    );
  }
}
