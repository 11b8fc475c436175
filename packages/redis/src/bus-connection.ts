import { StoreError } from '@cachewise/core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/**
 * What the bus changes on the connections it duplicates. The bus replaces a failed
 * subscriber connection itself (with a new one, on the next node of a Cluster) instead of
 * letting ioredis reconnect and resubscribe it, so that "subscribed again" is an
 * acknowledged SUBSCRIBE it sent and awaited, never a guess from a `ready` event.
 */
function subscriberOverrides(timeoutMs: number): Partial<RedisOptions> {
  return {
    lazyConnect: true, // listeners first, then connect
    retryStrategy: () => null, // one connection, one life: the bus makes the next one
    autoResubscribe: false,
    reconnectOnError: null,
    // A closing socket to a stalled server is destroyed after this instead of ioredis's 2 s.
    disconnectTimeout: timeoutMs,
    // Subscribing is allowed on a replica without READONLY; MONITOR would swallow everything.
    readOnly: false,
    monitor: false,
  };
}

/**
 * Makes the bus's subscriber connections. For a `Redis` client: a duplicate (a Sentinel
 * client's duplicate finds the current master itself). For a `Cluster`: a duplicate of
 * one of its nodes, the next one on each call, so that a dead node is left behind. Plain
 * PUBLISH on a Cluster reaches every node, so any node hears every message.
 */
export class SubscriberFactory {
  readonly #client: Redis | Cluster;
  readonly #overrides: Partial<RedisOptions>;
  #next = 0;

  constructor(client: Redis | Cluster, timeoutMs: number) {
    this.#client = client;
    this.#overrides = subscriberOverrides(timeoutMs);
  }

  /** A new, not yet connected, connection. Throws a StoreError when there is nowhere to connect. */
  create(): Redis {
    const client = this.#client;
    if (!client.isCluster) return (client as Redis).duplicate(this.#overrides);
    const cluster = client as Cluster;
    const nodes = cluster.nodes('all');
    if (nodes.length === 0) {
      // A lazyConnect Cluster learns its nodes on its first command; start it, try again later.
      if (cluster.status === 'wait') cluster.connect().catch(() => {});
      throw new StoreError(`redis bus: the Cluster client knows no node yet (status '${cluster.status}')`);
    }
    const node = nodes[this.#next++ % nodes.length]!;
    return node.duplicate(this.#overrides);
  }
}

/**
 * Waits for the user's client to be ready before a publish, so that the message is not
 * left in its offline queue to be sent after `publish` has already rejected. One pair of
 * listeners is shared by every waiter (many publishes during an outage add no listeners).
 */
export class ClientReadiness {
  readonly #client: Redis | Cluster;
  #next: Promise<void> | undefined;

  constructor(client: Redis | Cluster) {
    this.#client = client;
  }

  /** The client's status; undefined for clients without one (ioredis-mock). */
  get status(): string | undefined {
    return (this.#client as { status?: string }).status;
  }

  /**
   * Resolves when the client is ready (at once if it is), rejects when it has ended. Never
   * times out by itself: the caller races it with its own bound.
   */
  wait(): Promise<void> {
    const status = this.status;
    if (status === undefined || status === 'ready') return Promise.resolve();
    if (status === 'end') return Promise.reject(new StoreError("redis bus: the client is closed (status 'end')"));
    // A lazyConnect client connects on its first command; nothing is sent before ready here.
    if (status === 'wait') this.#client.connect().catch(() => {});
    this.#next ??= new Promise<void>((resolve, reject) => {
      const client = this.#client;
      const done = () => {
        client.off('ready', onReady);
        client.off('end', onEnd);
        this.#next = undefined;
      };
      const onReady = () => {
        done();
        resolve();
      };
      const onEnd = () => {
        done();
        reject(new StoreError("redis bus: the client was closed (status 'end')"));
      };
      client.on('ready', onReady);
      client.on('end', onEnd);
    });
    return this.#next;
  }
}

/** Name and message of an ioredis error, without the command arguments it may carry. */
export function safeCause(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const copy = new Error(error.message);
  copy.name = error.name;
  return copy;
}
