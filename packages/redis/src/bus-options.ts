import { CacheOptionsError, type Duration, parseDuration } from '@cachewise/core';
import { describeValue, rejectUnknownOptions } from '@cachewise/core/store';
import type { Cluster, Redis } from 'ioredis';

/** Options of {@link redisBus}. */
export interface RedisBusOptions {
  /**
   * Your ioredis client: a `Redis` (single node or Sentinel) or a `Cluster`. Messages are
   * published with it; the bus subscribes on a connection of its own, duplicated from it
   * (from one of its nodes, for a Cluster). The bus never closes this client.
   */
  client: Redis | Cluster;
  /**
   * The bound on every wait: `publish` rejects when Redis did not take the message within
   * it (a client still connecting, a paused or dead server), `subscribe` when it was not
   * subscribed within it, and the subscriber connection counts as down when a heartbeat
   * PING is not answered within it. `close()` takes at most about twice this. Default
   * `'1s'`, at most `'1h'`.
   */
  timeout?: Duration;
  /**
   * How often the subscriber connection is checked with a PING while subscribed, so that a
   * connection that went silent (a stalled server, a dead network path) is told as down
   * (`state(false)`) and replaced, within `heartbeat + timeout`. `false` turns it off: only
   * a closed connection is then noticed. Default `'1s'`, at least `'10ms'`, at most `'1h'`.
   */
  heartbeat?: Duration | false;
  /**
   * The largest message, in UTF-8 bytes: `publish` refuses a longer one, and a longer one
   * received (from a foreign publisher) is dropped and reported. Default `65536` (64 KiB),
   * from 1 to 536870912 (512 MiB, Redis's own limit).
   */
  maxMessageSize?: number;
}

export interface ResolvedBusOptions {
  readonly client: Redis | Cluster;
  readonly timeoutMs: number;
  /** 0: no heartbeat. */
  readonly heartbeatMs: number;
  readonly maxMessageSize: number;
}

const KNOWN: { [K in keyof Required<RedisBusOptions>]: true } = {
  client: true,
  timeout: true,
  heartbeat: true,
  maxMessageSize: true,
};

const HOUR_MS = 3_600_000;
const MIN_HEARTBEAT_MS = 10;
/** Redis refuses bulk strings over proto-max-bulk-len, 512 MiB by default. */
const MAX_MESSAGE_SIZE = 512 * 1024 * 1024;

export function resolveBusOptions(options: RedisBusOptions): ResolvedBusOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(
      `redisBus: options must be an object with a \`client\` (ioredis Redis or Cluster); got ${describeValue(options)}`,
    );
  }
  rejectUnknownOptions('redisBus', options, KNOWN);
  const client = options.client as unknown as Record<string, unknown> | undefined;
  // Told by shape, not instanceof: the user's ioredis may be another copy or major.
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.publish !== 'function' ||
    typeof client.duplicate !== 'function' ||
    (client.isCluster === true && typeof client.nodes !== 'function')
  ) {
    throw new CacheOptionsError(
      `redisBus: \`client\` must be an ioredis Redis or Cluster instance; got ${describeValue(options.client)}`,
    );
  }
  const timeoutMs = parseDuration(options.timeout ?? '1s', 'redisBus: `timeout`');
  if (timeoutMs > HOUR_MS) {
    throw new CacheOptionsError(`redisBus: \`timeout\` must be at most '1h' (${HOUR_MS} ms); got ${timeoutMs} ms`);
  }
  let heartbeatMs = 0;
  if (options.heartbeat !== false) {
    heartbeatMs = parseDuration(options.heartbeat ?? '1s', 'redisBus: `heartbeat` (or false)');
    if (heartbeatMs < MIN_HEARTBEAT_MS || heartbeatMs > HOUR_MS) {
      throw new CacheOptionsError(
        `redisBus: \`heartbeat\` must be from '${MIN_HEARTBEAT_MS}ms' to '1h', or false; got ${heartbeatMs} ms`,
      );
    }
  }
  const maxMessageSize = options.maxMessageSize ?? 65_536;
  if (!Number.isInteger(maxMessageSize) || maxMessageSize < 1 || maxMessageSize > MAX_MESSAGE_SIZE) {
    throw new CacheOptionsError(
      `redisBus: \`maxMessageSize\` must be an integer number of bytes from 1 to ${MAX_MESSAGE_SIZE}; got ${describeValue(options.maxMessageSize)}`,
    );
  }
  return { client: options.client, timeoutMs, heartbeatMs, maxMessageSize };
}
