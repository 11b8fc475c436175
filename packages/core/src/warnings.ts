import type { CacheError, SerializationError } from './errors.js';

/**
 * A pino- or winston-style logger (`createCache({ logger })`): cachewise calls `warn` with one
 * string, for the warnings it would otherwise give as process warnings.
 */
export interface CacheLogger {
  warn(message: string): unknown;
  error(message: string): unknown;
  info?(message: string): unknown;
  debug?(message: string): unknown;
}

// Labels already warned about, process-wide (a warning is a process matter), bounded; per
// logger when the cache has one.
const warnedLabels = new Set<string>();
const loggedLabels = new WeakMap<CacheLogger, Set<string>>();
const MAX_WARNED_LABELS = 1_000;

/** Whether `id` was not warned about yet (and now is), on this logger or the process. */
function firstTime(id: string, logger: CacheLogger | undefined): boolean {
  let seen = warnedLabels;
  if (logger !== undefined) {
    seen = loggedLabels.get(logger) ?? new Set();
    loggedLabels.set(logger, seen);
  }
  if (seen.has(id) || seen.size >= MAX_WARNED_LABELS) return false;
  seen.add(id);
  return true;
}

/**
 * A warning: to the cache's logger when it has one, else a process warning. A logger that
 * throws, or whose `warn` returns a promise that rejects, is ignored.
 */
function warn(message: string, code: string, logger: CacheLogger | undefined): void {
  if (logger === undefined) {
    process.emitWarning(message, { type: 'CachewiseWarning', code });
    return;
  }
  try {
    const written = logger.warn(`${code}: ${message}`) as PromiseLike<unknown> | undefined;
    // Left unhandled, an async logger's rejection would end the process.
    if (typeof written?.then === 'function') written.then(undefined, ignore);
  } catch {
    // The logger's own failure is not the cache's.
  }
}

function ignore(): void {}

/**
 * One process warning per method whose results cannot be cached: without it, a class
 * instance returned by a repository is silently never cached on Redis (0% hits).
 */
export function warnUncacheable(
  label: string,
  storeName: string,
  error: CacheError,
  logger: CacheLogger | undefined,
): void {
  if (!firstTime(`${storeName}\u0000${label}`, logger)) return;
  const className = (error as SerializationError).className;
  const fix =
    className === undefined
      ? 'Return plain data, or use a serializer that can encode it.'
      : `Return plain data, or register the class: createJsonSerializer({ classes: [{ name: '${className}', type: ${className} }] }).`;
  warn(
    `${label} returned a value the ${storeName} store cannot hold, so its results are returned but never cached ` +
      `(counted as stats().uncacheable): ${error.message}. ${fix} See docs/values.md.`,
    'CACHEWISE_UNCACHEABLE',
    logger,
  );
}

/**
 * One process warning per method whose `ttl` or `resultTags` function gave an answer the
 * cache cannot use (a bad duration, a bad tag list, a throw): its results are returned,
 * never cached, until the function is fixed.
 */
export function warnUnusableOption(label: string, error: Error, logger: CacheLogger | undefined): void {
  if (!firstTime(`options\u0000${label}`, logger)) return;
  warn(
    `${label}: ${error.message}, so its results are returned but not cached (counted as stats().uncacheable).`,
    'CACHEWISE_OPTION_RESULT',
    logger,
  );
}

/**
 * A store's warning about its setup, to the cache's logger once per logger: `false` when
 * the cache has no logger (the store then gives its process warning).
 */
export function warnFromStore(message: string, code: string, logger: CacheLogger | undefined): boolean {
  if (logger === undefined) return false;
  if (firstTime(`store\u0000${code}\u0000${message}`, logger)) warn(message, code, logger);
  return true;
}
