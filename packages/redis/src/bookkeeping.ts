import type { TagState } from '@cachewise/core/store';

/**
 * A reply value: ioredis answers Buffers and null; ioredis-mock (for users' unit tests)
 * may answer strings and false. Both are accepted.
 */
export type Bulk = Buffer | string | null | false | undefined;

/** A tag's state plus when its TTL was last set (server seconds; -1 when not recorded). */
export interface ReadTag extends TagState {
  readonly refreshedAt: number;
}

/** Up to 16 decimal digits (what the scripts accept too), or NaN. */
function digits(text: string, start: number, end: number): number {
  if (end <= start || end - start > 16) return NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NaN;
    n = n * 10 + digit;
  }
  return n;
}

function asText(value: Bulk): string | undefined {
  if (value === null || value === false || value === undefined) return undefined;
  return typeof value === 'string' ? value : value.toString('latin1');
}

/** A generation as the scripts write it, or undefined when missing or not of that shape. */
export function parseGeneration(value: Bulk): number | undefined {
  const text = asText(value);
  if (text === undefined) return undefined;
  const generation = digits(text, 0, text.length);
  return Number.isNaN(generation) ? undefined : generation;
}

/**
 * A tag as the scripts write it ("<version> <hardVersion> <refreshedAt>", or 0.1's
 * "<version> <hardVersion>"), or undefined when missing or not of that shape.
 */
export function parseTag(value: Bulk): ReadTag | undefined {
  const text = asText(value);
  if (text === undefined || text.length > 60) return undefined;
  const first = text.indexOf(' ');
  if (first < 0) return undefined;
  const second = text.indexOf(' ', first + 1);
  const version = digits(text, 0, first);
  const hardVersion = digits(text, first + 1, second < 0 ? text.length : second);
  const refreshedAt = second < 0 ? -1 : digits(text, second + 1, text.length);
  if (Number.isNaN(version) || Number.isNaN(hardVersion) || Number.isNaN(refreshedAt)) return undefined;
  return { version, hardVersion, refreshedAt };
}

export function asPayload(value: Bulk): Uint8Array | undefined {
  if (value === null || value === false || value === undefined) return undefined;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

/** A script's reply as strings (scripts answer arrays of bulk strings). */
export function replyStrings(reply: unknown): string[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((item: unknown) => (Buffer.isBuffer(item) ? item.toString('utf8') : String(item)));
}
