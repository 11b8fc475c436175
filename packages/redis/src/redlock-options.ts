import { CacheOptionsError, type Duration, parseDuration, type StampedeProtector } from '@cachewise/core';
import { describeValue, rejectUnknownOptions, type StoreReporter } from '@cachewise/core/store';
import type { Cluster, Redis } from 'ioredis';

/** Options of {@link redlockProtector}. Give exactly one of `client` and `clients`. */
export interface RedlockProtectorOptions {
  /** Your ioredis client (a `Redis` or a `Cluster`): the usual one-Redis setup. Never closed by the protector. */
  client?: Redis | Cluster;
  /**
   * Independent Redis masters for multi-node Redlock: a lock is held when a majority of
   * them granted it, so one node of three may be down. Never closed by the protector.
   */
  clients?: ReadonlyArray<Redis | Cluster>;
  /**
   * How long a lock lives in Redis unless extended. The protector extends it every
   * `lockTtl / 2` while its loader runs, so this bounds only how long a crashed holder
   * keeps others waiting. Default `'5s'`, from `'100ms'` to `'1h'`.
   */
  lockTtl?: Duration;
  /**
   * The waiter's bound: `waitForRelease` resolves `false` after it, and a lock attempt or a
   * release that Redis does not answer gives up after it. Default `'2s'`, at most `'1h'`.
   */
  wait?: Duration;
  /** Prefix of the lock keys (and of their release channels). Default `'cw:lock:'`. No `{`, `}` or spaces. */
  prefix?: string;
}

/**
 * What {@link redlockProtector} returns: core's `StampedeProtector`, with `attach` and
 * `close`. Declared apart from the implementation so that no declaration file of this
 * package names the `redlock` package's types.
 */
export interface RedlockProtector extends StampedeProtector {
  readonly name: 'redlock';
  /** Where failures outside calls go: an extension that failed, the subscriber connection dropping. */
  attach(reporter: StoreReporter): () => void;
  /**
   * Ends the waits in progress (they resolve `false`), releases the locks still held and
   * disconnects the subscriber connections it created. Never closes your clients.
   */
  close(): Promise<void>;
}

export interface ResolvedRedlockOptions {
  readonly clients: ReadonlyArray<Redis | Cluster>;
  readonly lockTtlMs: number;
  readonly waitMs: number;
  readonly prefix: string;
}

const KNOWN: { [K in keyof Required<RedlockProtectorOptions>]: true } = {
  client: true,
  clients: true,
  lockTtl: true,
  wait: true,
  prefix: true,
};

const WHERE = 'redlockProtector';
const MIN_LOCK_TTL_MS = 100;
/** Timers overflow at 2^31 ms; a wait or a lock longer than an hour is an outage, not a stampede. */
const MAX_MS = 3_600_000;

function isIoredisClient(value: unknown): value is Redis | Cluster {
  const client = value as { evalsha?: unknown; duplicate?: unknown } | null;
  return (
    typeof client === 'object' &&
    client !== null &&
    typeof client.evalsha === 'function' &&
    typeof client.duplicate === 'function'
  );
}

function bounded(value: unknown, option: string, fallback: Duration, minMs: number, min: string): number {
  const ms = parseDuration(value ?? fallback, `${WHERE}: \`${option}\``);
  if (ms < minMs || ms > MAX_MS) {
    throw new CacheOptionsError(`${WHERE}: \`${option}\` must be from '${min}' to '1h'; got ${describeValue(value)}`);
  }
  return ms;
}

/** Checks every option once, at creation; each message names the option and what would be valid. */
export function resolveRedlockOptions(options: RedlockProtectorOptions): ResolvedRedlockOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(
      `${WHERE}: options must be an object with a \`client\` (ioredis Redis or Cluster) or \`clients\` (an array of them)`,
    );
  }
  rejectUnknownOptions(WHERE, options, KNOWN);
  if ((options.client === undefined) === (options.clients === undefined)) {
    throw new CacheOptionsError(
      `${WHERE}: give exactly one of \`client\` (an ioredis Redis or Cluster) and \`clients\` (independent Redis masters)`,
    );
  }
  let clients: ReadonlyArray<Redis | Cluster>;
  if (options.client !== undefined) {
    if (!isIoredisClient(options.client)) {
      throw new CacheOptionsError(
        `${WHERE}: \`client\` must be an ioredis Redis or Cluster instance; got ${describeValue(options.client)}`,
      );
    }
    clients = [options.client];
  } else {
    const given = options.clients as unknown;
    if (!Array.isArray(given) || given.length === 0 || !given.every(isIoredisClient)) {
      throw new CacheOptionsError(
        `${WHERE}: \`clients\` must be a non-empty array of ioredis Redis or Cluster instances; got ${describeValue(given)}`,
      );
    }
    if (new Set(given).size !== given.length) {
      throw new CacheOptionsError(
        `${WHERE}: \`clients\` must not list the same client twice: each is one independent Redis master`,
      );
    }
    clients = Object.freeze([...given]);
  }
  const lockTtlMs = bounded(options.lockTtl, 'lockTtl', '5s', MIN_LOCK_TTL_MS, '100ms');
  const waitMs = bounded(options.wait, 'wait', '2s', 1, '1ms');
  const prefix = options.prefix ?? 'cw:lock:';
  // \p{Cs} with the u flag matches only unpaired surrogates, which Redis would receive as U+FFFD.
  if (typeof prefix !== 'string' || prefix.length > 100 || /[{}\s]/.test(prefix) || /\p{Cs}/u.test(prefix)) {
    throw new CacheOptionsError(
      `${WHERE}: \`prefix\` must be a string of at most 100 characters without '{', '}', spaces or lone UTF-16 surrogates; got ${describeValue(prefix)}`,
    );
  }
  return { clients, lockTtlMs, waitMs, prefix };
}
