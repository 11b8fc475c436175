import { CacheOptionsError, StoreError } from '@cachewise/core';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * The options of a client the store creates from `url`, before the user's `clientOptions`.
 * ioredis's own defaults wait without bound: a paused server holds every command (no
 * command timeout), a dead one holds each for 20 reconnect attempts, and commands queue
 * while disconnected. A cache must fail open instead, so every wait here is bounded.
 */
export const OWNED_CLIENT_DEFAULTS = Object.freeze({
  connectTimeout: 2_000,
  commandTimeout: 1_000,
  maxRetriesPerRequest: 1,
  // Reads fail open at once while disconnected; writes and invalidations wait for
  // readiness themselves (see Readiness), with a bound, instead of in ioredis's queue.
  enableOfflineQueue: false,
}) satisfies RedisOptions;

/** setTimeout fires at once past 2^31 - 1 ms: a longer "timeout" would be none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Checks the `clientOptions` that bound the client's waits; ioredis checks the rest. */
export function checkClientOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CacheOptionsError('redisStore: `clientOptions` must be an object of ioredis options (RedisOptions)');
  }
  const given = options as Record<string, unknown>;
  for (const name of ['connectTimeout', 'commandTimeout'] as const) {
    const value = given[name];
    if (name in given && !(typeof value === 'number' && value >= 1 && value <= MAX_TIMER_MS)) {
      throw new CacheOptionsError(
        `redisStore: \`clientOptions.${name}\` must be a number of milliseconds from 1 to ${MAX_TIMER_MS}; got ${brief(value)}`,
      );
    }
  }
  const retries = given.maxRetriesPerRequest;
  if ('maxRetriesPerRequest' in given && !(Number.isInteger(retries) && (retries as number) >= 0)) {
    throw new CacheOptionsError(
      `redisStore: \`clientOptions.maxRetriesPerRequest\` must be an integer of 0 or more (null, unbounded, is refused); got ${brief(retries)}`,
    );
  }
  if ('enableOfflineQueue' in given && typeof given.enableOfflineQueue !== 'boolean') {
    throw new CacheOptionsError(
      `redisStore: \`clientOptions.enableOfflineQueue\` must be a boolean; got ${brief(given.enableOfflineQueue)}`,
    );
  }
}

function brief(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' || value == null ? String(value) : `a ${typeof value}`;
}

/**
 * Creates the client the store owns. Its `error` events (connection refused, reset,
 * handshake failures) become reports: the first of each outage, that is, the first since
 * the client was last ready, so a long outage is one event and not one per reconnect.
 * With a listener attached, ioredis no longer prints "Unhandled error event".
 */
export function createOwnedClient(
  url: string,
  options: RedisOptions | undefined,
  report: (error: Error) => void,
): Redis {
  const client = new Redis(url, { ...OWNED_CLIENT_DEFAULTS, ...options });
  let reported = false;
  client.on('ready', () => {
    reported = false;
  });
  client.on('error', (error: unknown) => {
    if (reported) return;
    reported = true;
    // Name and message only: ioredis errors can carry a command's arguments.
    const cause =
      error instanceof Error ? Object.assign(new Error(error.message), { name: error.name }) : new Error(String(error));
    report(
      new StoreError(`redis store: client error (reported once until the client is ready again): ${cause.message}`, {
        cause,
      }),
    );
  });
  return client;
}

/**
 * Closes a client the store owns within a bounded time: QUIT (which lets replies in
 * flight arrive) for at most its command timeout, then a disconnect, which does not
 * wait for a paused or unreachable server.
 */
export async function closeOwnedClient(client: Redis): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    if (client.status !== 'ready') return; // nothing in flight to wait for
    const timeoutMs = client.options.commandTimeout ?? OWNED_CLIENT_DEFAULTS.commandTimeout;
    await Promise.race([client.quit(), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  } catch {
    // QUIT failed (connection lost meanwhile): the disconnect below is all that is left.
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

type Change = 'ready' | 'end' | 'closed';

/**
 * Makes explicit writes and invalidations wait, up to a bound, for a client that is not
 * ready yet (connecting, reconnecting): with `enableOfflineQueue: false` ioredis would
 * reject them at once, and an `@Invalidates` method whose database write already
 * happened would then fail its invalidation for a client that was about to connect.
 */
export class Readiness {
  readonly #client: Redis | Cluster;
  readonly #timeoutMs: number;
  #closed = false;
  /** One pair of listeners shared by every waiter, until the next ready/end. */
  #change: Promise<Change> | undefined;
  #settle: ((change: Change) => void) | undefined;

  constructor(client: Redis | Cluster, timeoutMs: number) {
    this.#client = client;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Resolves once the client is ready, at once when it is (or has no `status`, like
   * ioredis-mock). Rejects with a StoreError after the bound, when the client has ended,
   * or when the store is closed. `what` names the operation for the message.
   */
  async wait(what: string): Promise<void> {
    if (this.#closed) throw new StoreError(`redis store: the store is closed; ${what} was not sent`);
    const status = (this.#client as { status?: string }).status;
    if (status === undefined || status === 'ready') return;
    if (status === 'end')
      throw new StoreError(`redis store: the client is closed (status 'end'); ${what} was not sent`);
    // A lazyConnect client connects on its first command; with the offline queue off,
    // that command would be refused, so start the connection here.
    if (status === 'wait') this.#client.connect().catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const change = await Promise.race([
      this.#nextChange(),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, this.#timeoutMs, 'timeout'))),
    ]);
    clearTimeout(timer);
    if (change === 'ready') return;
    const now = (this.#client as { status?: string }).status;
    if (change === 'timeout') {
      throw new StoreError(
        `redis store: the client was not ready within readyTimeout (${this.#timeoutMs} ms, status '${now}'); ${what} was not sent`,
      );
    }
    throw new StoreError(
      `redis store: the ${change === 'end' ? 'client' : 'store'} was closed while waiting for the client to be ready; ${what} was not sent`,
    );
  }

  /** Ends every wait (the store is closing). */
  close(): void {
    this.#closed = true;
    this.#settle?.('closed');
  }

  #nextChange(): Promise<Change> {
    this.#change ??= new Promise<Change>((resolve) => {
      const client = this.#client;
      const onReady = () => settle('ready');
      const onEnd = () => settle('end');
      const settle = (change: Change) => {
        client.off('ready', onReady);
        client.off('end', onEnd);
        this.#change = undefined;
        this.#settle = undefined;
        resolve(change);
      };
      this.#settle = settle;
      client.on('ready', onReady);
      client.on('end', onEnd);
    });
    return this.#change;
  }
}
