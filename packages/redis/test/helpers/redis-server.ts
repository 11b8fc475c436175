import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { LOCALHOST } from './free-port.js';
import {
  isRunning,
  killProcess,
  launchOnFreePort,
  launchRedis,
  makeTempDir,
  removeTempDir,
  requireBinary,
  setFrozen,
} from './processes.js';

/** Fail fast in tests: one retry per command, a short connect timeout. */
export const TEST_CLIENT_DEFAULTS: RedisOptions = {
  lazyConnect: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
};

export interface StartRedisOptions {
  /** An existing server to use instead of starting one. Default: `process.env.REDIS_URL`. */
  url?: string;
  /** Always start a private server, even when REDIS_URL is set (for tests that reset stats or kill it). */
  private?: boolean;
  /** Extra redis-server arguments, e.g. `['--maxmemory', '1mb']`. Ignored with a URL. */
  args?: readonly string[];
  /** How long to wait for a started server to answer. Default 10 s. */
  startTimeoutMs?: number;
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /**
   * A random `t<hex>:` namespace. With REDIS_URL the server is shared, so tests must keep
   * their keys under it: stop() deletes those keys and nothing else.
   */
  readonly prefix: string;
  /** A fresh prefix under {@link prefix}, for one store: what stop() cleans up on a shared server. */
  newPrefix(): string;
  /** True when this handle wraps REDIS_URL rather than a server it started. */
  readonly external: boolean;
  /** A new ioredis client (TEST_CLIENT_DEFAULTS + `options`), disconnected by stop(). */
  client(options?: RedisOptions): Redis;
  /** SIGKILL the server and wait for it to exit: a crash, as clients see it. */
  kill(): Promise<void>;
  /** Start it again on the same port (killing it first if needed); data is gone. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open but nothing is answered, like a stalled server. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): Promise<void>;
  /** Disconnect clients, kill the server, remove its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server on a free port (or wraps REDIS_URL when set).
 *
 * @example
 * let redis: RedisServer;
 * beforeAll(async () => { redis = await startRedis(); });
 * afterAll(() => redis.stop());
 * it('works', async () => { expect(await redis.client().ping()).toBe('PONG'); });
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const url = options.private === true ? undefined : (options.url ?? process.env.REDIS_URL);
  return url ? wrapExisting(url) : startPrivate(options);
}

export function randomPrefix(): string {
  return `t${randomBytes(4).toString('hex')}:`;
}

/** Clients see connection errors through their rejected commands; without a listener
 * ioredis would also print each one, and tests that kill servers produce many. */
function quiet<T extends Redis>(client: T): T {
  client.on('error', () => {});
  return client;
}

async function startPrivate(options: StartRedisOptions): Promise<RedisServer> {
  const bin = requireBinary('redis-server', 'REDIS_URL is not set');
  const dir = await makeTempDir('redis');
  const launch = { bin, dir, args: options.args ?? [], timeoutMs: options.startTimeoutMs ?? 10_000 };
  let started: { port: number; child: ChildProcess };
  try {
    started = await launchOnFreePort(launch);
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
  const { port } = started;
  const privatePrefix = randomPrefix();
  let child = started.child;
  let stopped = false;
  const clients = new Set<Redis>();
  const live = (what: string): ChildProcess => {
    if (stopped || !isRunning(child)) throw new Error(`${what}(): the redis-server on port ${port} is not running`);
    return child;
  };

  return {
    host: LOCALHOST,
    port,
    url: `redis://${LOCALHOST}:${port}`,
    prefix: privatePrefix,
    newPrefix: () => `${privatePrefix}${randomPrefix()}`,
    external: false,
    client(overrides = {}) {
      const client = quiet(new Redis({ ...TEST_CLIENT_DEFAULTS, host: LOCALHOST, port, ...overrides }));
      clients.add(client);
      return client;
    },
    kill: () => killProcess(child),
    async restart() {
      if (stopped) throw new Error('restart(): this server was stopped');
      await killProcess(child);
      // The same port on purpose: existing clients must find the server where they left it.
      child = await launchRedis({ ...launch, port });
    },
    pause: async () => setFrozen(live('pause'), true),
    resume: async () => setFrozen(live('resume'), false),
    async stop() {
      stopped = true;
      for (const client of clients) client.disconnect();
      clients.clear();
      await killProcess(child);
      await removeTempDir(dir);
    },
  };
}

/** A shared server: never flushed, never signalled; only our prefix is cleaned up. */
function wrapExisting(url: string): RedisServer {
  const fromUrl = optionsFromUrl(url);
  const prefix = randomPrefix();
  const clients = new Set<Redis>();
  const unavailable = async (what: string): Promise<never> => {
    throw new Error(`${what}() is not available with REDIS_URL: the helper did not start that server`);
  };
  return {
    host: fromUrl.host ?? LOCALHOST,
    port: fromUrl.port ?? 6379,
    url,
    prefix,
    newPrefix: () => `${prefix}${randomPrefix()}`,
    external: true,
    client(overrides = {}) {
      const client = quiet(new Redis({ ...TEST_CLIENT_DEFAULTS, ...fromUrl, ...overrides }));
      clients.add(client);
      return client;
    },
    kill: () => unavailable('kill'),
    restart: () => unavailable('restart'),
    pause: () => unavailable('pause'),
    resume: () => unavailable('resume'),
    async stop() {
      for (const client of clients) client.disconnect();
      clients.clear();
      const cleaner = quiet(new Redis({ ...TEST_CLIENT_DEFAULTS, ...fromUrl }));
      try {
        await deleteByPrefix(cleaner, prefix);
      } finally {
        cleaner.disconnect();
      }
    },
  };
}

/**
 * The connection options a redis:// or rediss:// URL carries. Parsed here rather than by
 * `new Redis(url, options)` because there the URL beats `options`, and a test pointing a
 * client at a proxy (`client({ port: proxy.port })`) needs the override to win.
 */
function optionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || LOCALHOST,
    port: Number(parsed.port || 6379),
  };
  if (parsed.username) options.username = decodeURIComponent(parsed.username);
  if (parsed.password) options.password = decodeURIComponent(parsed.password);
  if (parsed.pathname.length > 1) options.db = Number(parsed.pathname.slice(1));
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
