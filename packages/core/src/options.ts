import type { BreakerSettings } from './breaker.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import { type Duration, parseDuration } from './duration.js';
import { CacheOptionsError } from './errors.js';
import { type Freshness, type FreshnessOptions, graceOf, NO_FRESHNESS, resolveFreshness } from './freshness.js';
import { isNamespace } from './keys.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import { isStampedeProtector, type StampedeProtector } from './stampede.js';
import type { Store } from './store.js';
import { isTiered } from './tiered-brand.js';
import { describeValue, isStore, rejectUnknownOptions } from './validate.js';
import type { CacheLogger } from './warnings.js';

/**
 * Options of {@link createCache}. `staleWhileRevalidate`, `staleIfError` and
 * `earlyRefresh` are the defaults of every cached call; `@Cached`, `wrap` and `cached()`
 * can set their own.
 */
export interface CacheOptions extends FreshnessOptions {
  /** Where entries live: `memoryStore()`, `redisStore()`, or your own `Store`. Required. */
  store: Store;
  /** Prefix of every key and tag of this cache; `clear()` drops this namespace only. Default `'cw'`. */
  namespace?: string;
  /** Default time to live. Default `'5m'`. */
  ttl?: Duration;
  /**
   * Fraction of the TTL to take off at random, so entries written together do not expire
   * together: `0.1` makes a 5-minute TTL land between 4m30s and 5m. Default `0.1`; `0` turns it off.
   */
  jitter?: number;
  /** Turns values into bytes for byte stores. Default {@link jsonSerializer}. */
  serializer?: Serializer;
  /** Largest payload written or read, in bytes; larger ones are not cached / read as a miss. Default 8 MiB. */
  maxPayloadBytes?: number;
  /** Source of time. Default the system clock; tests pass a fake one. */
  clock?: Clock;
  /** Source of randomness for jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** Make this cache the default for decorators even if another one exists. Default: only the first cache is. */
  setAsDefault?: boolean;
  /**
   * Most method labels (`Class.method`, `wrap`/`cached` names) with their own row in
   * `stats().byMethod`; calls under further labels are counted in one `'#other'` row.
   * Default 1,000.
   */
  maxLabels?: number;
  /**
   * `false` turns caching off (for tests, or during an incident; see `cache.setEnabled`):
   * every cached call runs its method and `get` misses, while stats still count. Explicit
   * writes and invalidations still reach the store, so turning caching back on never
   * serves a value invalidated meanwhile. Default `true`.
   */
  enabled?: boolean;
  /**
   * Makes one process in the fleet run the load of a cold key while the others wait for
   * its value, e.g. `redlockProtector({ client })` from `@cachewise/redis`. Without it,
   * each process runs the load once (in-process single flight is always on).
   */
  stampede?: StampedeProtector;
  /**
   * Where this cache's warnings go (a method whose results cannot be cached, a `ttl` or
   * `resultTags` function that gave an unusable answer): a pino- or winston-style logger,
   * given one string on `warn`, once per method. Default: a process warning
   * (`process.emitWarning`, type `CachewiseWarning`).
   */
  logger?: CacheLogger;
  /**
   * The longest a cache waits for any store operation that answers with a promise; a
   * synchronous answer (the memory store) is never timed. Past it, a read falls through
   * to the method, a write is dropped, an invalidation is queued (and rejects unless
   * `whenUnreachable: 'queue'`); each is counted in `storeErrors` and `storeTimeouts`.
   * Default `'1s'`; at most `'1h'`.
   */
  storeTimeout?: Duration;
  /**
   * After `failures` store operations in a row fail or time out, the store is not called
   * for `cooldown` (calls fail open at once, counted in `storeFastFails`); then one call
   * probes it: an answer closes the breaker, a failure opens it again. `false` turns it
   * off. Default `{ failures: 5, cooldown: '5s' }`.
   */
  circuitBreaker?: CircuitBreakerOptions | false;
}

/** Options of the circuit breaker (see {@link CacheOptions.circuitBreaker}). */
export interface CircuitBreakerOptions {
  /** Failed or timed-out store operations in a row that open the breaker. Default 5. */
  failures?: number;
  /** How long an open breaker keeps the store from being called before a probe. Default `'5s'`. */
  cooldown?: Duration;
}

/** The options after validation. */
export interface ResolvedCacheOptions {
  readonly store: Store;
  readonly namespace: string;
  readonly ttlMs: number;
  readonly jitter: number;
  readonly serializer: Serializer;
  readonly maxPayloadBytes: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly setAsDefault: boolean;
  readonly maxLabels: number;
  readonly enabled: boolean;
  readonly stampede: StampedeProtector | undefined;
  readonly logger: CacheLogger | undefined;
  /** The cache-wide stale-serving and early-refresh defaults. */
  readonly freshness: Freshness;
  readonly storeTimeoutMs: number;
  /** `undefined`: `circuitBreaker: false`. */
  readonly breaker: BreakerSettings | undefined;
}

// Listing every option here makes a forgotten one a type error, and lets unknown ones be refused.
const KNOWN: { [K in keyof Required<CacheOptions>]: true } = {
  store: true,
  namespace: true,
  ttl: true,
  jitter: true,
  serializer: true,
  maxPayloadBytes: true,
  clock: true,
  random: true,
  setAsDefault: true,
  maxLabels: true,
  enabled: true,
  stampede: true,
  logger: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  revalidate: true,
  earlyRefresh: true,
  storeTimeout: true,
  circuitBreaker: true,
};
const BREAKER_KNOWN: { [K in keyof Required<CircuitBreakerOptions>]: true } = { failures: true, cooldown: true };

export const DEFAULT_NAMESPACE = 'cw';
export const DEFAULT_TTL = '5m';
export const DEFAULT_JITTER = 0.1;
export const DEFAULT_MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_LABELS = 1_000;
export const DEFAULT_STORE_TIMEOUT = '1s';
export const DEFAULT_BREAKER_FAILURES = 5;
export const DEFAULT_BREAKER_COOLDOWN = '5s';
/** Timers fire at once past 2^31 ms; an hour is already far past any useful wait on a cache. */
const MAX_WAIT_MS = 3_600_000;

function isLogger(value: unknown): value is CacheLogger {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const logger = value as Record<string, unknown>;
  return (
    typeof logger.warn === 'function' &&
    typeof logger.error === 'function' &&
    (logger.info === undefined || typeof logger.info === 'function') &&
    (logger.debug === undefined || typeof logger.debug === 'function')
  );
}

/** Validates {@link CacheOptions} once, up front. */
export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(
      `createCache: options must be an object with at least a \`store\`; got ${describeValue(options)}`,
    );
  }
  rejectUnknownOptions('createCache', options, KNOWN);
  const { store, namespace = DEFAULT_NAMESPACE, jitter = DEFAULT_JITTER } = options;
  if (!isStore(store)) {
    throw new CacheOptionsError(
      'createCache: `store` is required and must be a Store, e.g. memoryStore() from @cachewise/memory ' +
        `or redisStore({ client }) from @cachewise/redis; got ${describeValue(store)}`,
    );
  }
  const capacity: unknown = store.capacity;
  if (capacity !== undefined && !(Number.isSafeInteger(capacity) && (capacity as number) >= 0)) {
    throw new CacheOptionsError(
      `createCache: the ${store.name} store's \`capacity\` must be a whole number of entries, 0 or more, or absent; got ${describeValue(capacity)}`,
    );
  }
  if (!isNamespace(namespace)) {
    throw new CacheOptionsError(
      `createCache: \`namespace\` must be 1-100 characters of letters, digits, '_', '-' or '.'; got ${describeValue(namespace)}`,
    );
  }
  const ttlMs = parseDuration(options.ttl ?? DEFAULT_TTL, 'createCache: `ttl`');
  checkTtlFitsStore(ttlMs, store, 'createCache: `ttl`');
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw new CacheOptionsError(
      `createCache: \`jitter\` must be a number from 0 (off) to below 1, e.g. 0.1; got ${describeValue(jitter)}`,
    );
  }
  if (options.serializer !== undefined && isTiered(store)) {
    throw new CacheOptionsError(
      'createCache: a tiered store serializes for its L2 itself: give `serializer` to tiered({ serializer }), not to createCache',
    );
  }
  const serializer = options.serializer ?? jsonSerializer;
  if (typeof serializer?.encode !== 'function' || typeof serializer.decode !== 'function') {
    throw new CacheOptionsError('createCache: `serializer` must have encode(value) and decode(bytes) functions');
  }
  const maxPayloadBytes = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxPayloadBytes) || maxPayloadBytes < 64) {
    throw new CacheOptionsError(
      `createCache: \`maxPayloadBytes\` must be a whole number of bytes, at least 64; got ${describeValue(maxPayloadBytes)}`,
    );
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock?.now !== 'function') {
    throw new CacheOptionsError('createCache: `clock` must have a now() function returning milliseconds');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') {
    throw new CacheOptionsError(
      `createCache: \`random\` must be a function returning a number in [0, 1); got ${describeValue(random)}`,
    );
  }
  const maxLabels = options.maxLabels ?? DEFAULT_MAX_LABELS;
  if (!Number.isSafeInteger(maxLabels) || maxLabels < 1) {
    throw new CacheOptionsError(
      `createCache: \`maxLabels\` must be a whole number of at least 1, e.g. 1000; got ${describeValue(maxLabels)}`,
    );
  }
  const enabled = options.enabled ?? true;
  if (typeof enabled !== 'boolean') {
    throw new CacheOptionsError(`createCache: \`enabled\` must be true or false; got ${describeValue(enabled)}`);
  }
  if (options.setAsDefault !== undefined && typeof options.setAsDefault !== 'boolean') {
    throw new CacheOptionsError(
      `createCache: \`setAsDefault\` must be true or false; got ${describeValue(options.setAsDefault)}`,
    );
  }
  if (options.stampede !== undefined && !isStampedeProtector(options.stampede)) {
    throw new CacheOptionsError(
      'createCache: `stampede` must be a stampede protector (an object with name, tryLock(key) and ' +
        `waitForRelease(key)), e.g. redlockProtector({ client }) from @cachewise/redis; got ${describeValue(options.stampede)}`,
    );
  }
  const logger = options.logger;
  if (logger !== undefined && !isLogger(logger)) {
    throw new CacheOptionsError(
      'createCache: `logger` must be a logger with warn(message) and error(message) functions ' +
        `(and info/debug functions if it has them), e.g. a pino or winston logger; got ${describeValue(logger)}`,
    );
  }
  const storeTimeoutMs = parseWait(options.storeTimeout ?? DEFAULT_STORE_TIMEOUT, 'createCache: `storeTimeout`');
  const breaker = resolveBreaker(options.circuitBreaker);
  const freshness = resolveFreshness(options, 'createCache', NO_FRESHNESS);
  checkTtlFitsStore(ttlMs + graceOf(freshness), store, 'createCache: `ttl` plus its stale window');
  return {
    store,
    namespace,
    ttlMs,
    jitter,
    serializer,
    maxPayloadBytes,
    clock,
    random,
    setAsDefault: options.setAsDefault === true,
    maxLabels,
    enabled,
    stampede: options.stampede,
    logger,
    freshness,
    storeTimeoutMs,
    breaker,
  };
}

/** A positive duration of at most an hour (it becomes a timer). */
function parseWait(value: unknown, option: string): number {
  const ms = parseDuration(value, option);
  if (ms > MAX_WAIT_MS) {
    throw new CacheOptionsError(`${option} must be at most '1h' (${MAX_WAIT_MS} ms); got ${describeValue(value)}`);
  }
  return ms;
}

function resolveBreaker(value: CacheOptions['circuitBreaker']): BreakerSettings | undefined {
  if (value === false) return undefined;
  const given = value === undefined ? {} : value;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new CacheOptionsError(
      "createCache: `circuitBreaker` must be false or an object like { failures: 5, cooldown: '5s' }; " +
        `got ${describeValue(value)}`,
    );
  }
  rejectUnknownOptions('createCache: `circuitBreaker`', given, BREAKER_KNOWN);
  const failures = given.failures ?? DEFAULT_BREAKER_FAILURES;
  if (!Number.isSafeInteger(failures) || failures < 1) {
    throw new CacheOptionsError(
      `createCache: \`circuitBreaker.failures\` must be a whole number of at least 1, e.g. 5; got ${describeValue(failures)}`,
    );
  }
  const cooldownMs = parseWait(given.cooldown ?? DEFAULT_BREAKER_COOLDOWN, 'createCache: `circuitBreaker.cooldown`');
  return { failures, cooldownMs };
}

/** A TTL longer than the store keeps its invalidation bookkeeping could outlive an invalidation. */
export function checkTtlFitsStore(ttlMs: number, store: Store, option: string): void {
  if (store.maxTtlMs !== undefined && ttlMs > store.maxTtlMs) {
    throw new CacheOptionsError(
      `${option} is ${ttlMs} ms, longer than the ${store.name} store's maxTtl (${store.maxTtlMs} ms); ` +
        "use a shorter ttl or raise the store's maxTtl",
    );
  }
}
