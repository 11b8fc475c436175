// The cache key of a request: method, path, normalised query, the Vary headers' values
// (and a POST's body), JSON-encoded so that no request can forge another's key.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Prefix of every key this package writes, in the cache's user key space (`<namespace>:k:`). */
export const KEY_PREFIX = 'http:';
/** Keys longer than this are replaced by `http:#` and the SHA-256 of the long form. */
export const MAX_KEY_LENGTH = 200;

/** What the key is made of. */
export interface KeyParts {
  /** `GET` (also for HEAD, which reads GET's entry) or `POST`. */
  readonly method: string;
  /** The path and query as received (`/users/1?b=2&a=1`). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Lower-cased names of the headers to vary on. */
  readonly vary: readonly string[];
  /** The request body's hash, for POST. */
  readonly bodyHash?: string;
}

/**
 * The key of a request. Two requests share it exactly when they have the same method,
 * path (after percent-encoding normalisation), query pairs (sorted by name, duplicates in
 * their order, decoded), Vary header values (a missing header differs from an empty one)
 * and, for POST, body.
 */
export function requestKey(parts: KeyParts): string {
  const at = parts.url.indexOf('?');
  const path = normalisePath(at === -1 ? parts.url : parts.url.slice(0, at));
  const query = at === -1 ? [] : normaliseQuery(parts.url.slice(at + 1));
  const vary = parts.vary.map((name) => headerValue(parts.headers, name));
  const encoded = JSON.stringify([parts.method, path, query, vary, parts.bodyHash ?? null]);
  // JSON starts with '[', a hashed key with '#': the two forms never meet.
  return encoded.length <= MAX_KEY_LENGTH
    ? `${KEY_PREFIX}${encoded}`
    : `${KEY_PREFIX}#${createHash('sha256').update(encoded).digest('base64url')}`;
}

/**
 * RFC 3986 §6.2.2: percent-escapes of unreserved characters are decoded, the others get
 * upper-case hex. `%2F` stays `%2F`: it is not `/`.
 */
export function normalisePath(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (_escape, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** Query pairs decoded (`+` is a space, as form encoding has it), stably sorted by name. */
export function normaliseQuery(query: string): Array<[string, string]> {
  const pairs = [...new URLSearchParams(query)];
  // Array.prototype.sort is stable: values of a repeated name keep their order.
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/** SHA-256 of a POST body: its bytes when it has them, otherwise its JSON with sorted keys. */
export function bodyHash(body: unknown): string {
  const hash = createHash('sha256');
  if (typeof body === 'string') hash.update(`s${body}`);
  else if (body instanceof Uint8Array) hash.update('b').update(body);
  else hash.update(`j${stableJson(body)}`);
  return hash.digest('base64url');
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
