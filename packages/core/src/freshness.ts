// Stale serving and early refresh: the options, the XFetch test, and the back-off after
// failed loads. The call path that uses them is engine.ts.
import { type Duration, parseDuration } from './duration.js';
import { CacheOptionsError } from './errors.js';
import { describeValue } from './validate.js';

/** The stale-serving and early-refresh options, cache-wide (createCache) and per call (@Cached, wrap, cached). */
export interface FreshnessOptions {
  /**
   * Past its TTL, an entry is still served for this long, at once, while one refresh
   * runs in the background (HTTP's `stale-while-revalidate`, RFC 5861). Entries made
   * stale by an `'expire'`-mode invalidation are served the same way. `0` turns it off.
   * Default: off.
   */
  staleWhileRevalidate?: Duration;
  /**
   * Who refreshes an entry found stale within `staleWhileRevalidate`. `'background'`
   * (default): the caller gets the stale value at once and one refresh runs in the
   * background. `'caller'`: the caller that finds it stale runs the loader and waits for
   * it, as on a miss, while the callers that come during that load get the stale value at
   * once: for a loader bound to its caller, such as an HTTP handler answering one request
   * (`@cachewise/http`'s `X-Cache: STALE`).
   */
  revalidate?: 'background' | 'caller';
  /**
   * Past its TTL (or after an `'expire'`-mode invalidation), an entry is kept this long
   * to be served when the load fails (HTTP's `stale-if-error`): the caller gets the stale
   * value instead of the error, which is still counted and emitted. `0` turns it off.
   * Default: off.
   */
  staleIfError?: Duration;
  /**
   * Refresh entries in the background shortly before they expire, at random, earlier for
   * entries that are slow to load (XFetch, Vattani et al., VLDB 2015): a read refreshes
   * when `now - delta * beta * ln(random()) >= expiresAt`, `delta` being the entry's
   * measured load time. `true` is `{ beta: 1 }`; a larger `beta` refreshes earlier.
   * Default: off.
   */
  earlyRefresh?: boolean | { beta: number };
}

/** The options in milliseconds; 0 is off. */
export interface Freshness {
  readonly swrMs: number;
  readonly staleIfErrorMs: number;
  /** XFetch's beta; 0 is off. */
  readonly beta: number;
  /** `revalidate: 'caller'`. */
  readonly byCaller: boolean;
}

export const NO_FRESHNESS: Freshness = Object.freeze({ swrMs: 0, staleIfErrorMs: 0, beta: 0, byCaller: false });

const MAX_BETA = 100;

/** Validates the freshness options of `options`, each defaulting to `defaults`'. */
export function resolveFreshness(options: FreshnessOptions, where: string, defaults: Freshness): Freshness {
  const swrMs =
    options.staleWhileRevalidate === undefined
      ? defaults.swrMs
      : parseDuration(options.staleWhileRevalidate, `${where}: \`staleWhileRevalidate\``, { allowZero: true });
  const staleIfErrorMs =
    options.staleIfError === undefined
      ? defaults.staleIfErrorMs
      : parseDuration(options.staleIfError, `${where}: \`staleIfError\``, { allowZero: true });
  const beta = options.earlyRefresh === undefined ? defaults.beta : betaOf(options.earlyRefresh, where);
  const byCaller = options.revalidate === undefined ? defaults.byCaller : byCallerOf(options.revalidate, where);
  if (
    swrMs === defaults.swrMs &&
    staleIfErrorMs === defaults.staleIfErrorMs &&
    beta === defaults.beta &&
    byCaller === defaults.byCaller
  ) {
    return defaults;
  }
  return { swrMs, staleIfErrorMs, beta, byCaller };
}

function byCallerOf(revalidate: unknown, where: string): boolean {
  if (revalidate === 'caller') return true;
  if (revalidate === 'background') return false;
  throw new CacheOptionsError(
    `${where}: \`revalidate\` must be 'background' or 'caller'; got ${describeValue(revalidate)}`,
  );
}

function betaOf(earlyRefresh: unknown, where: string): number {
  if (earlyRefresh === true) return 1;
  if (earlyRefresh === false) return 0;
  const beta =
    typeof earlyRefresh === 'object' && earlyRefresh !== null ? (earlyRefresh as { beta?: unknown }).beta : undefined;
  const keys = typeof earlyRefresh === 'object' && earlyRefresh !== null ? Object.keys(earlyRefresh) : [];
  if (typeof beta !== 'number' || !(beta > 0 && beta <= MAX_BETA) || keys.some((key) => key !== 'beta')) {
    throw new CacheOptionsError(
      `${where}: \`earlyRefresh\` must be true, false or { beta } with beta a number above 0 and at most ${MAX_BETA} ` +
        `(1 is XFetch's default; larger refreshes earlier); got ${describeValue(earlyRefresh)}`,
    );
  }
  return beta;
}

/** How long an entry stays worth keeping past its TTL. */
export function graceOf(freshness: Freshness): number {
  return Math.max(freshness.swrMs, freshness.staleIfErrorMs);
}

/**
 * XFetch: true when a read at `now` should refresh an entry that expires at `expiresAt`
 * and took `delta` ms to load. `random` is in [0, 1); 0 always refreshes.
 */
export function refreshEarly(now: number, expiresAt: number, delta: number, beta: number, random: number): boolean {
  return now - delta * beta * Math.log(random) >= expiresAt;
}

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;
/** Keys in back-off at once; past it the oldest is forgotten (it may retry early, no harm). */
const MAX_BACKING_OFF = 10_000;

/**
 * Keys whose last load failed, and when they may be tried again: after a failure, 1 s,
 * doubling up to 1 min. While a key backs off, a stale value is served without calling
 * the loader (stale-if-error) and no background refresh starts (stale-while-revalidate).
 * Made on first failure; bounded.
 */
export class Backoff {
  #keys: Map<string, { until: number; delay: number }> | undefined;

  /** True while `key` should not be loaded again. */
  waiting(key: string, now: number): boolean {
    const keys = this.#keys;
    if (keys === undefined || keys.size === 0) return false;
    const entry = keys.get(key);
    return entry !== undefined && now < entry.until;
  }

  failed(key: string, now: number): void {
    this.#keys ??= new Map();
    const keys = this.#keys;
    const previous = keys.get(key);
    const delay = previous === undefined ? FIRST_BACKOFF_MS : Math.min(previous.delay * 2, MAX_BACKOFF_MS);
    keys.delete(key);
    if (keys.size >= MAX_BACKING_OFF) keys.delete(keys.keys().next().value as string);
    keys.set(key, { until: now + delay, delay });
  }

  succeeded(key: string): void {
    this.#keys?.delete(key);
  }

  get size(): number {
    return this.#keys?.size ?? 0;
  }
}
