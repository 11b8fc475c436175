import { type Channel, channel } from 'node:diagnostics_channel';
import type { BreakerState } from './breaker.js';
import type { QueueOutcome } from './invalidation-queue.js';
import type { InvalidationMode } from './store.js';

/** Where an error came from. */
export type CacheErrorKind = 'load' | 'store' | 'serialize' | 'decode' | 'lock' | 'options';

/** Why a stale value was served: see `staleWhileRevalidate`, `staleIfError` and `stampede`. */
export type StaleReason = 'revalidating' | 'error' | 'lock-timeout';

/** What became of a fleet-wide lock for a load (`stampede`). */
export type LockOutcome = 'acquired' | 'waited' | 'peer-loaded' | 'timeout' | 'unavailable';

/**
 * The events a cache emits, with their payloads. Keys are storage keys; values and
 * connection details never appear in events.
 */
export interface CacheEventMap {
  hit: { readonly key: string; readonly label: string };
  miss: { readonly key: string; readonly label: string };
  /** A stale value served; `invalidated`: made stale by an `'expire'`-mode invalidation, not by its TTL. */
  stale: { readonly key: string; readonly label: string; readonly reason: StaleReason; readonly invalidated: boolean };
  /** A background refresh settled; `early`: started before expiry (`earlyRefresh`). */
  refresh: { readonly key: string; readonly label: string; readonly early: boolean; readonly ok: boolean };
  /** The fleet-wide lock of a load, when a `stampede` protector is set. */
  lock: { readonly key: string; readonly label: string; readonly outcome: LockOutcome };
  set: { readonly key: string; readonly label: string; readonly ttlMs: number };
  invalidate: {
    readonly tags: readonly string[];
    readonly keys: readonly string[];
    readonly mode: InvalidationMode;
  };
  /** The circuit breaker changed state (see `circuitBreaker`). */
  breaker: { readonly state: Exclude<BreakerState, 'off'> };
  /**
   * The invalidation queue changed: an invalidation that could not reach the store was
   * `queued`, the queue `overflowed` into one clear() of the namespace, every queued one was
   * `replayed`, or `close()` `dropped` what was left. `queued` is the number of keys and tags now waiting.
   */
  queue: { readonly outcome: QueueOutcome; readonly queued: number };
  /**
   * A tiered store applied a change another server announced on the bus, `lagMs` after it
   * was published there (the receiving server's clock minus the publisher's).
   */
  bus: { readonly lagMs: number };
  error: { readonly kind: CacheErrorKind; readonly key?: string; readonly label?: string; readonly error: unknown };
}

export type CacheEventName = keyof CacheEventMap;
export type CacheListener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;

/**
 * The `node:diagnostics_channel` names core publishes on, one per event: `cachewise:hit`,
 * `cachewise:miss`, … Each message is the event's payload plus the cache's `namespace`.
 * A cache builds a message only when the channel has subscribers.
 */
export const CACHE_CHANNELS = Object.freeze({
  hit: 'cachewise:hit',
  miss: 'cachewise:miss',
  stale: 'cachewise:stale',
  refresh: 'cachewise:refresh',
  lock: 'cachewise:lock',
  set: 'cachewise:set',
  invalidate: 'cachewise:invalidate',
  breaker: 'cachewise:breaker',
  queue: 'cachewise:queue',
  bus: 'cachewise:bus',
  error: 'cachewise:error',
} as const satisfies { readonly [E in CacheEventName]: string });

/**
 * The `tracingChannel` name of loads: `tracing:cachewise:load:start`, `…:end`, `…:asyncStart`,
 * `…:asyncEnd`, `…:error`. The context is `{ namespace, label, key }`; `result` or `error` is
 * set on it when the load settles. `label` is the load's `stats().byMethod` row: `'#other'`
 * past `maxLabels` labels, so what a tracer keeps per label stays as bounded as `stats()`.
 */
export const LOAD_TRACING_CHANNEL = 'cachewise:load';

/** What a `cachewise:*` channel carries: the event, and the namespace of the cache that emitted it. */
export type CacheChannelMessage<E extends CacheEventName> = CacheEventMap[E] & { readonly namespace: string };

/**
 * The `tracingChannel` name of store operations: `tracing:cachewise:store:start`, `…:end`,
 * `…:asyncStart`, `…:asyncEnd`, `…:error`, around each operation a cache sends its store
 * (bounded by `storeTimeout`, behind the circuit breaker). The context is
 * {@link StoreTraceContext}; `error` is set on it when the operation fails.
 */
export const STORE_TRACING_CHANNEL = 'cachewise:store';

/** A store operation, as named on the `cachewise:store` tracing channel. */
export type StoreOperation = 'read' | 'readTags' | 'write' | 'delete' | 'invalidateTags' | 'versionMark' | 'ready';

/** What the `cachewise:store` tracing channel's context holds. */
export interface StoreTraceContext {
  readonly namespace: string;
  /** The store's `name`: `'memory'`, `'redis'`, `'tiered'`, … */
  readonly store: string;
  readonly operation: StoreOperation;
  /** The storage key, for `read` and `write`. */
  readonly key?: string;
  error?: unknown;
}

/** What the `cachewise:load` tracing channel's context holds. */
export interface LoadTraceContext {
  readonly namespace: string;
  /** `Class.method` or the `wrap`/`cached` name; `'#other'` past `maxLabels` labels (its `byMethod` row). */
  readonly label: string;
  readonly key: string;
  result?: unknown;
  error?: unknown;
}

const channels = Object.fromEntries(
  Object.entries(CACHE_CHANNELS).map(([name, id]) => [name, channel(id)]),
) as unknown as { readonly [E in CacheEventName]: Channel };

const HIT_CHANNEL = channels.hit;

/**
 * A small typed emitter. `has(name)` lets hot paths skip building an event nobody
 * listens to. A listener that throws is ignored: observability never breaks a call.
 */
export class Emitter {
  readonly #listeners: { [E in CacheEventName]?: CacheListener<E>[] } = {};
  readonly #namespace: string;

  constructor(namespace: string) {
    this.#namespace = namespace;
  }

  on<E extends CacheEventName>(name: E, listener: CacheListener<E>): () => void {
    this.#listeners[name] ??= [];
    const list = this.#listeners[name] as CacheListener<E>[];
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  /**
   * `has('hit')` for the hit path: constant-key reads only (a keyed read with the event's
   * name, shared by every event, is a megamorphic lookup: about 250 instructions a hit).
   */
  get hitWatched(): boolean {
    const list = this.#listeners.hit;
    return (list !== undefined && list.length > 0) || HIT_CHANNEL.hasSubscribers;
  }

  /** Whether anyone listens: a listener here, or a subscriber of the event's channel (a field read). */
  has(name: CacheEventName): boolean {
    const list = this.#listeners[name];
    return (list !== undefined && list.length > 0) || channels[name].hasSubscribers;
  }

  emit<E extends CacheEventName>(name: E, event: CacheEventMap[E]): void {
    const published = channels[name];
    // publish() never throws: Node re-raises a subscriber's exception on the next tick, as an
    // uncaught exception (docs/observability.md says so), so the call goes on either way.
    if (published.hasSubscribers) published.publish({ ...event, namespace: this.#namespace });
    const list = this.#listeners[name] as CacheListener<E>[] | undefined;
    if (list === undefined) return;
    for (const listener of [...list]) {
      try {
        listener(event);
      } catch {
        // A listener's own failure is not the cache's.
      }
    }
  }

  clear(): void {
    for (const name of Object.keys(this.#listeners) as CacheEventName[]) delete this.#listeners[name];
  }
}
