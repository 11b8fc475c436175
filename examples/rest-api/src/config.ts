// The service's settings, read from environment variables once at start. A bad value is
// an error that names the variable and what would be valid, before anything starts.

/** Where the service keeps its cache. */
export type CacheMode = 'none' | 'memory' | 'redis' | 'tiered';
export const CACHE_MODES: readonly CacheMode[] = ['none', 'memory', 'redis', 'tiered'];

export interface Config {
  readonly cache: CacheMode;
  /** Needed by `redis` and `tiered`. */
  readonly redisUrl: string | undefined;
  /** A PostgreSQL server to use through `pg`; unset: an embedded PGlite database. */
  readonly databaseUrl: string | undefined;
  /** A fixed delay before each database query, standing for a database across a network. */
  readonly dbDelayMs: number;
  readonly port: number;
  readonly host: string;
  /** The cache's namespace (keys, tags and the tiered bus channel). */
  readonly namespace: string;
  /** Users seeded into an empty database. */
  readonly seedUsers: number;
}

/** A bad environment variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

export function integer(env: Env, name: string, fallback: number, min: number, max: number, what: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be ${what} (an integer from ${min} to ${max}); got ${JSON.stringify(raw)}`);
  }
  return value;
}

function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(raw);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !protocols.includes(parsed.protocol)) {
    // The value may hold a password: name its protocol only.
    throw new ConfigError(
      `${name} must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}; ` +
        `got a value starting with ${JSON.stringify(raw.split('//')[0] ?? '')}`,
    );
  }
  return raw;
}

/** Reads and checks the settings; throws a {@link ConfigError} naming the first bad variable. */
export function readConfig(env: Env): Config {
  const cache = (env.CACHE === undefined || env.CACHE === '' ? 'memory' : env.CACHE) as CacheMode;
  if (!CACHE_MODES.includes(cache)) {
    throw new ConfigError(`CACHE must be one of ${CACHE_MODES.join(', ')}; got ${JSON.stringify(env.CACHE)}`);
  }
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  if ((cache === 'redis' || cache === 'tiered') && redisUrl === undefined) {
    throw new ConfigError(`REDIS_URL is required with CACHE=${cache} (e.g. redis://127.0.0.1:6379)`);
  }
  const namespace = env.CACHE_NAMESPACE === undefined || env.CACHE_NAMESPACE === '' ? 'rest-api' : env.CACHE_NAMESPACE;
  if (!/^[A-Za-z0-9_.-]{1,60}$/.test(namespace)) {
    throw new ConfigError(
      `CACHE_NAMESPACE must be 1-60 letters, digits, '_', '-' or '.'; got ${JSON.stringify(namespace)}`,
    );
  }
  return {
    cache,
    redisUrl,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dbDelayMs: integer(env, 'DB_DELAY_MS', 0, 0, 60_000, 'a delay in milliseconds'),
    port: integer(env, 'PORT', 3000, 0, 65_535, 'a TCP port, 0 for any free one'),
    host: env.HOST === undefined || env.HOST === '' ? '127.0.0.1' : env.HOST,
    namespace,
    seedUsers: integer(env, 'SEED_USERS', 10_000, 100, 1_000_000, 'a number of users'),
  };
}
