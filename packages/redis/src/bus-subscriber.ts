import type { BusHandlers } from '@cachewise/core';
import { StoreError } from '@cachewise/core';
import type { Redis } from 'ioredis';
import { type SubscriberFactory, safeCause } from './bus-connection.js';

/** One `subscribe()` call. */
interface Subscription {
  readonly channel: string;
  readonly handlers: BusHandlers;
  /** Until the first acknowledged SUBSCRIBE that covers it: `subscribe()` has not resolved. */
  pending: boolean;
  /** What it was last told (true when `subscribe()` resolved). */
  receiving: boolean;
  /** A throwing handler is reported once, not once per message. */
  threwReported: boolean;
  resolve(): void;
  reject(error: Error): void;
}

export interface SubscriberSettings {
  readonly factory: SubscriberFactory;
  readonly timeoutMs: number;
  /** 0: no heartbeat. */
  readonly heartbeatMs: number;
  readonly maxMessageSize: number;
  readonly report: (error: Error) => void;
}

/** Delays between connection attempts: doubling from the first, capped. */
const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2_000;

/**
 * The bus's one subscriber connection, shared by all its subscriptions, opened on the
 * first `subscribe()` and closed when the last one ends. A connection lives until it
 * fails (closed, an error, a SUBSCRIBE or heartbeat PING unanswered within the timeout);
 * then every subscription is told `state(false)`, and a new connection is made, after a
 * back-off, which subscribes to every channel at once and, acknowledged, tells
 * `state(true)`. Messages published in between are lost (at most once).
 */
export class BusSubscriber {
  readonly #settings: SubscriberSettings;
  readonly #channels = new Map<string, Set<Subscription>>();
  /** The current connection; undefined between a failure and the next attempt. */
  #conn: Redis | undefined;
  /** The current connection is subscribed to every channel in #channels. */
  #up = false;
  #retries = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  /** One report per outage: cleared when subscribed again. */
  #outageReported = false;
  #closed = false;

  constructor(settings: SubscriberSettings) {
    this.#settings = settings;
  }

  /** Resolves once subscribed; rejects after the timeout, or when closed meanwhile. */
  subscribe(channel: string, handlers: BusHandlers): Promise<() => Promise<void>> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const subscription: Subscription = {
        channel,
        handlers,
        pending: true,
        receiving: true,
        threwReported: false,
        resolve: () => {
          clearTimeout(timer);
          subscription.pending = false;
          resolve(() => this.#unsubscribe(subscription));
        },
        reject: (error) => {
          clearTimeout(timer);
          // The last one gone: stop connecting for nobody.
          if (this.#remove(subscription) && this.#channels.size === 0) void this.#closeConnection();
          reject(error);
        },
      };
      timer = setTimeout(() => {
        if (!subscription.pending) return;
        subscription.reject(
          new StoreError(
            `redis bus: could not subscribe to '${channel}' within timeout (${this.#settings.timeoutMs} ms)` +
              (this.#conn ? ` (subscriber connection status '${this.#conn.status}')` : ''),
          ),
        );
      }, this.#settings.timeoutMs);
      const existing = this.#channels.get(channel);
      const set = existing ?? new Set<Subscription>();
      set.add(subscription);
      this.#channels.set(channel, set);
      const conn = this.#conn;
      if (conn === undefined) {
        // A new subscriber does not wait out the back-off: it has only `timeout` to succeed.
        clearTimeout(this.#retryTimer);
        this.#connect();
      } else if (this.#up) {
        // Already subscribed to this channel on a live connection: nothing to send.
        if (existing !== undefined && [...existing].some((other) => !other.pending)) subscription.resolve();
        else
          this.#send(conn, () => conn.subscribe(channel), 'SUBSCRIBE').then(
            (ok) => ok && this.#resolvePending(channel),
          );
      }
      // else: a connection is being set up; it subscribes to every channel when ready.
    });
  }

  /** Ends every subscription without telling it anything, and closes the connection within the timeout. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const pending = [...this.#channels.values()].flatMap((set) => [...set].filter((s) => s.pending));
    this.#channels.clear(); // nothing is delivered from now on
    for (const subscription of pending) {
      subscription.reject(new StoreError(`redis bus: closed before '${subscription.channel}' was subscribed`));
    }
    await this.#closeConnection();
  }

  #unsubscribe(subscription: Subscription): Promise<void> {
    if (!this.#remove(subscription)) return Promise.resolve();
    const conn = this.#conn;
    if (this.#channels.size === 0) return this.#closeConnection();
    if (conn !== undefined && this.#up && !this.#channels.has(subscription.channel)) {
      // Messages for it are dropped here anyway; telling Redis saves it the work.
      return this.#send(conn, () => conn.unsubscribe(subscription.channel), 'UNSUBSCRIBE').then(() => {});
    }
    return Promise.resolve();
  }

  /** Forgets a subscription; false if it was already gone. */
  #remove(subscription: Subscription): boolean {
    const set = this.#channels.get(subscription.channel);
    if (!set?.delete(subscription)) return false;
    if (set.size === 0) this.#channels.delete(subscription.channel);
    if (this.#channels.size === 0 && this.#conn === undefined) {
      // Nobody left to reconnect for.
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    return true;
  }

  #connect(): void {
    this.#retryTimer = undefined;
    if (this.#closed || this.#channels.size === 0) return;
    let conn: Redis;
    try {
      conn = this.#settings.factory.create();
    } catch (error) {
      this.#outage(error);
      this.#scheduleRetry();
      return;
    }
    this.#conn = conn;
    this.#up = false;
    conn.on('message', (channel: string, message: string) => {
      if (conn === this.#conn) this.#dispatch(channel, message);
    });
    conn.on('error', (error: unknown) => this.#fail(conn, error));
    conn.on('close', () => this.#fail(conn, new Error('connection closed')));
    conn.on('end', () => this.#fail(conn, new Error('connection ended')));
    let channels: string[] = [];
    this.#send(
      conn,
      async () => {
        await conn.connect();
        channels = [...this.#channels.keys()]; // as they are now, not when the attempt began
        // None left: #closeConnection() has already replaced this connection.
        if (channels.length > 0) await conn.subscribe(...channels);
      },
      'connect and SUBSCRIBE',
    ).then((ok) => ok && this.#onUp(conn, channels));
  }

  /**
   * Runs one exchange on `conn` with the timeout. On an error or no answer in time, the
   * connection has failed. Resolves true when it succeeded on the current connection.
   */
  async #send(conn: Redis, exchange: () => Promise<unknown>, what: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        exchange(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer to ${what} within timeout (${this.#settings.timeoutMs} ms)`)),
            this.#settings.timeoutMs,
          );
        }),
      ]);
      return conn === this.#conn;
    } catch (error) {
      this.#fail(conn, error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  #onUp(conn: Redis, subscribed: readonly string[]): void {
    this.#up = true;
    this.#retries = 0;
    this.#outageReported = false;
    for (const set of this.#channels.values()) {
      for (const subscription of set) {
        if (!subscription.pending && !subscription.receiving) {
          subscription.receiving = true;
          this.#tell(subscription, true);
        }
      }
    }
    this.#resolvePending(...subscribed);
    // Channels first asked for while that SUBSCRIBE was in flight are not covered by it.
    const covered = new Set(subscribed);
    const late = [...this.#channels.keys()].filter((channel) => !covered.has(channel));
    if (late.length > 0) {
      this.#send(conn, () => conn.subscribe(...late), 'SUBSCRIBE').then((ok) => ok && this.#resolvePending(...late));
    }
    this.#startHeartbeat(conn);
  }

  #resolvePending(...channels: string[]): void {
    for (const channel of channels) {
      for (const subscription of this.#channels.get(channel) ?? []) {
        if (subscription.pending) subscription.resolve();
      }
    }
  }

  #fail(conn: Redis, error: unknown): void {
    if (conn !== this.#conn) return; // an old connection's late news
    this.#conn = undefined;
    this.#up = false;
    clearTimeout(this.#heartbeatTimer);
    conn.removeAllListeners('message');
    conn.on('error', () => {}); // what it still emits while closing is no news
    conn.disconnect(); // destroyed after disconnectTimeout if the server does not answer
    this.#outage(error);
    for (const set of this.#channels.values()) {
      for (const subscription of set) {
        if (subscription.pending || !subscription.receiving) continue;
        subscription.receiving = false;
        this.#tell(subscription, false);
      }
    }
    this.#scheduleRetry();
  }

  #outage(error: unknown): void {
    if (this.#closed || this.#outageReported) return;
    this.#outageReported = true;
    const cause = safeCause(error);
    this.#settings.report(
      new StoreError(`redis bus: subscriber connection lost (reported once until subscribed again): ${cause.message}`, {
        cause,
      }),
    );
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#channels.size === 0 || this.#retryTimer !== undefined) return;
    const delay = Math.min(FIRST_RETRY_MS * 2 ** this.#retries, MAX_RETRY_MS);
    this.#retries = Math.min(this.#retries + 1, 16);
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
    this.#retryTimer.unref();
  }

  #startHeartbeat(conn: Redis): void {
    const { heartbeatMs } = this.#settings;
    if (heartbeatMs === 0) return;
    const beat = () => {
      this.#send(conn, () => conn.ping(), 'PING').then((ok) => {
        if (ok && this.#up) {
          this.#heartbeatTimer = setTimeout(beat, heartbeatMs);
          this.#heartbeatTimer.unref();
        }
      });
    };
    this.#heartbeatTimer = setTimeout(beat, heartbeatMs);
    this.#heartbeatTimer.unref();
  }

  async #closeConnection(): Promise<void> {
    const conn = this.#conn;
    this.#conn = undefined;
    const wasUp = this.#up;
    this.#up = false;
    clearTimeout(this.#heartbeatTimer);
    if (conn === undefined) return;
    conn.removeAllListeners('message');
    conn.on('error', () => {});
    if (wasUp) {
      // Unsubscribe first, politely, but never wait for a stalled server longer than the timeout.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        conn.unsubscribe().catch(() => {}),
        new Promise((resolve) => (timer = setTimeout(resolve, this.#settings.timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    conn.disconnect();
  }

  #dispatch(channel: string, message: string): void {
    const set = this.#channels.get(channel);
    if (set === undefined) return; // a channel being unsubscribed
    // UTF-16 length ≤ UTF-8 bytes ≤ 3 × length: count bytes only near the limit.
    const { maxMessageSize } = this.#settings;
    if (message.length * 3 > maxMessageSize && Buffer.byteLength(message) > maxMessageSize) {
      this.#settings.report(
        new StoreError(
          `redis bus: dropped a message of ${Buffer.byteLength(message)} bytes on '${channel}', over maxMessageSize (${maxMessageSize})`,
        ),
      );
      return;
    }
    for (const subscription of set) {
      try {
        subscription.handlers.message(message);
      } catch (error) {
        this.#handlerThrew(subscription, 'message', error);
      }
    }
  }

  #tell(subscription: Subscription, receiving: boolean): void {
    try {
      subscription.handlers.state(receiving);
    } catch (error) {
      this.#handlerThrew(subscription, 'state', error);
    }
  }

  #handlerThrew(subscription: Subscription, which: string, error: unknown): void {
    if (subscription.threwReported) return;
    subscription.threwReported = true;
    const cause = error instanceof Error ? error : new Error(String(error));
    this.#settings.report(
      new StoreError(
        `redis bus: a ${which} handler on '${subscription.channel}' threw (reported once per subscription): ${cause.message}`,
        { cause },
      ),
    );
  }
}
