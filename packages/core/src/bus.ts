/**
 * The invalidation-bus contract: how the tiered stores of a fleet tell each other what
 * changed, so that each can drop what its in-memory tier holds. `redisBus()` from
 * `@cachewise/redis` implements it over Redis pub/sub; any broadcast transport can.
 *
 * A bus moves opaque strings, at most once: a message may be lost (a dropped connection,
 * a slow subscriber), never duplicated into a different one. `tiered()` numbers its
 * messages per publisher and reads a gap or a lost subscription as "stop trusting the
 * in-memory tier until resynchronised" (P6), so the bus itself needs no delivery
 * guarantee beyond telling when its subscription is down.
 */
import type { MaybePromise, StoreReporter } from './store.js';

/** What a subscriber is told. */
export interface BusHandlers {
  /** One message, as published (never a message from another channel). Must not throw. */
  message(message: string): void;
  /**
   * The subscription's state: `false` as soon as it may be missing messages (its
   * connection dropped), `true` once it receives again (resubscribed). Messages published
   * while it was down are lost. Called only on changes, starting after `subscribe`
   * resolved (which means subscribed).
   */
  state(receiving: boolean): void;
}

export interface Bus {
  /** For errors and events, e.g. `'redis'`. */
  readonly name: string;
  /**
   * Sends `message` to every subscriber of `channel`, in every process, this one
   * included (receivers skip their own). Rejects when the message could not be sent.
   */
  publish(channel: string, message: string): Promise<void>;
  /**
   * Subscribes to `channel`. Resolves once subscribed, with the function that
   * unsubscribes; rejects if it could not subscribe within the bus's own bound.
   */
  subscribe(channel: string, handlers: BusHandlers): Promise<() => Promise<void>>;
  /** Optional: as `Store.attach`, where the bus reports what it finds outside calls. */
  attach?(reporter: StoreReporter): () => void;
  /** Releases what the bus created (never a client the user passed in). */
  close?(): MaybePromise<void>;
}

/** True for an object that implements {@link Bus}. */
export function isBus(value: unknown): value is Bus {
  if (typeof value !== 'object' || value === null) return false;
  const bus = value as Record<string, unknown>;
  return typeof bus.name === 'string' && typeof bus.publish === 'function' && typeof bus.subscribe === 'function';
}
