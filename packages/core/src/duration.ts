import { CacheOptionsError } from './errors.js';
import { describeValue } from './validate.js';

/**
 * A duration: a number of milliseconds, or a whole number with a unit: `'250ms'`, `'30s'`,
 * `'5m'`, `'2h'`, `'1d'`. The string type and {@link parseDuration} accept exactly the same
 * strings: an integer literal as TypeScript reads a `bigint` (decimal without leading
 * zeros, or `0x`/`0o`/`0b`), not negative, then a unit, with nothing around it. So
 * `'1.5h'`, `'5 m'`, `'1e3ms'` and `'+5m'` do not compile (write `'90m'`, `'5m'`, `1000`).
 */
export type Duration = number | (`${bigint}${DurationUnit}` & `${Digit}${string}`);
type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Longer durations are refused: they would overflow timers and expiry arithmetic. */
const MAX_DURATION_MS = 100 * 365 * 86_400_000;
const PATTERN = /^(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)(ms|s|m|h|d)$/;

/**
 * Turns a {@link Duration} into milliseconds, or throws a `CacheOptionsError` that names
 * `option` and says what would be valid. Called when options are read (creation or
 * decoration time), never on a request.
 *
 * @example parseDuration('5m', 'ttl') // 300000
 */
export function parseDuration(value: unknown, option: string, options?: { allowZero?: boolean }): number {
  // Strings already parsed (as `wrap(key, fn, { ttl: '5m' })` passes on every call) are
  // looked up, not matched again. Only valid ones are kept, and only so many.
  if (typeof value === 'string') {
    const known = parsed.get(value);
    if (known !== undefined && (known > 0 || options?.allowZero === true)) return known;
  }
  const ms = parseUncached(value, option, options?.allowZero === true);
  if (typeof value === 'string' && parsed.size < MAX_PARSED) parsed.set(value, ms);
  return ms;
}

const parsed = new Map<string, number>();
const MAX_PARSED = 1_000;

function parseUncached(value: unknown, option: string, allowZero: boolean): number {
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = PATTERN.exec(value);
    if (match) ms = Number(match[1]) * UNIT_MS[match[2] as DurationUnit];
  }
  if (ms === undefined || !Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new CacheOptionsError(
      `${option} must be a ${allowZero ? 'non-negative' : 'positive'} duration: a number of milliseconds ` +
        `or a whole number with a unit like '250ms', '30s', '5m', '2h', '1d'; got ${describeValue(value)}`,
    );
  }
  if (ms > MAX_DURATION_MS) {
    throw new CacheOptionsError(
      `${option} must be at most 100 years (${MAX_DURATION_MS} ms); got ${describeValue(value)}`,
    );
  }
  return Math.round(ms);
}
