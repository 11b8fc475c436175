import type { CacheError, SerializationError } from './errors.js';

// Labels already warned about, process-wide (a warning is a process matter), bounded.
const warnedLabels = new Set<string>();
const MAX_WARNED_LABELS = 1_000;

/**
 * One process warning per method whose results cannot be cached: without it, a class
 * instance returned by a repository is silently never cached on Redis (0% hits).
 */
export function warnUncacheable(label: string, storeName: string, error: CacheError): void {
  const id = `${storeName}\u0000${label}`;
  if (warnedLabels.has(id) || warnedLabels.size >= MAX_WARNED_LABELS) return;
  warnedLabels.add(id);
  const className = (error as SerializationError).className;
  const fix =
    className === undefined
      ? 'Return plain data, or use a serializer that can encode it.'
      : `Return plain data, or register the class: createJsonSerializer({ classes: [{ name: '${className}', type: ${className} }] }).`;
  process.emitWarning(
    `${label} returned a value the ${storeName} store cannot hold, so its results are returned but never cached ` +
      `(counted as stats().uncacheable): ${error.message}. ${fix} See docs/values.md.`,
    { type: 'CachewiseWarning', code: 'CACHEWISE_UNCACHEABLE' },
  );
}

/**
 * One process warning per method whose `ttl` or `resultTags` function gave an answer the
 * cache cannot use (a bad duration, a bad tag list, a throw): its results are returned,
 * never cached, until the function is fixed.
 */
export function warnUnusableOption(label: string, error: Error): void {
  const id = `options\u0000${label}`;
  if (warnedLabels.has(id) || warnedLabels.size >= MAX_WARNED_LABELS) return;
  warnedLabels.add(id);
  process.emitWarning(
    `${label}: ${error.message}, so its results are returned but not cached (counted as stats().uncacheable).`,
    { type: 'CachewiseWarning', code: 'CACHEWISE_OPTION_RESULT' },
  );
}
