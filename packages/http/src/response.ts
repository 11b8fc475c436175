// What is stored of a response, what is never stored, and the headers a cached response
// is sent with (ETag, Last-Modified, Cache-Control, Age, X-Cache, Vary).
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ResolvedHttpOptions } from './options.js';

/** A response as stored: status, the headers worth replaying, the body's bytes and their hash. */
export interface StoredResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string | readonly string[]]>;
  readonly body: Uint8Array;
  /** Strong ETag: a hash of `body`. */
  readonly etag: string;
  /**
   * When the handler produced it, in ms on the cache's clock: a response served stale
   * takes its `Age` and `Last-Modified` from it. Absent in records written before it was added.
   */
  readonly producedAt?: number;
}

/** What a handler produced, as the adapters see it before it is sent. */
export interface CapturedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, OutgoingHttpHeaders[string]>>;
  readonly body: Uint8Array;
}

/**
 * `X-Cache` values: `HIT` (fresh from the cache), `MISS` (the handler ran for this
 * request), `STALE` (past its TTL, inside the route's `staleWhileRevalidate`, while another
 * request's handler refreshes it).
 */
export type CacheOutcome = 'HIT' | 'MISS' | 'STALE';

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection; the others are made
// afresh for every response sent from the cache.
const NOT_REPLAYED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'set-cookie',
  'date',
  'age',
  'etag',
  'last-modified',
  'cache-control',
  'expires',
  'x-cache',
  'content-length',
  'vary',
]);

/** Why a response is not stored, or undefined when it may be. */
export function whyNotStored(response: CapturedResponse, options: ResolvedHttpOptions<never>): string | undefined {
  const { status, headers } = response;
  const statusOk =
    options.statuses === undefined ? status >= 200 && status < 300 && status !== 206 : options.statuses.has(status);
  if (!statusOk) return `status ${status}`;
  if (headers['set-cookie'] !== undefined) return 'Set-Cookie';
  const directives = listOf(headers['cache-control']).map((directive) => directive.split('=')[0]!.trim().toLowerCase());
  for (const refused of ['no-store', 'private', 'no-cache']) {
    if (directives.includes(refused)) return `Cache-Control: ${refused}`;
  }
  // The key holds only the configured Vary headers: a response that varies on another
  // one would be served to requests it was not made for (cache poisoning).
  for (const name of listOf(headers.vary)) {
    if (name === '*' || !options.vary.includes(name.toLowerCase())) return `Vary: ${name}`;
  }
  if (response.body.byteLength > options.maxBodyBytes) return 'body over maxBodyBytes';
  return undefined;
}

function listOf(value: OutgoingHttpHeaders[string] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : String(value);
  return joined
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/** The record to store for a response that may be stored, produced at `producedAt` (cache clock). */
export function toStored(response: CapturedResponse, producedAt: number): StoredResponse {
  const headers: Array<readonly [string, string | readonly string[]]> = [];
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || NOT_REPLAYED.has(lower)) continue;
    headers.push([lower, Array.isArray(value) ? value.map(String) : String(value)]);
  }
  return { status: response.status, headers, body: response.body, etag: etagOf(response.body), producedAt };
}

/** A strong ETag from the body's bytes. */
export function etagOf(body: Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Is `value` a record this package wrote? Anything else under its key is a miss. */
export function isStoredResponse(value: unknown): value is StoredResponse {
  const record = value as Partial<StoredResponse> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.status === 'number' &&
    Array.isArray(record.headers) &&
    record.body instanceof Uint8Array &&
    typeof record.etag === 'string' &&
    (record.producedAt === undefined || typeof record.producedAt === 'number')
  );
}

/** When the entry was stored and expires, on the cache's clock; unknown for a response not stored. */
export interface EntryTimes {
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly now: number;
}

/** The validators and caching headers a response from the cache (or stored by this request) is sent with. */
export function cacheHeaders(
  stored: StoredResponse,
  times: EntryTimes | undefined,
  outcome: CacheOutcome,
  options: ResolvedHttpOptions<never>,
): Record<string, string> {
  const headers: Record<string, string> = { etag: stored.etag, 'x-cache': outcome };
  const scope = options.public ? 'public' : 'private';
  if (times !== undefined) {
    const maxAge = Math.max(0, Math.floor((times.expiresAt - times.now) / 1000));
    headers['cache-control'] =
      options.swrSeconds > 0
        ? `${scope}, max-age=${maxAge}, stale-while-revalidate=${options.swrSeconds}`
        : `${scope}, max-age=${maxAge}`;
    headers['last-modified'] = new Date(times.storedAt).toUTCString();
    headers.age = String(Math.max(0, Math.floor((times.now - times.storedAt) / 1000)));
  } else {
    // Not stored (an invalidation raced it, or the store failed): nothing to keep downstream.
    headers['cache-control'] = 'no-cache';
  }
  if (options.vary.length > 0) headers.vary = options.vary.join(', ');
  return headers;
}

/**
 * True when a conditional GET or HEAD can be answered 304: `If-None-Match` lists the
 * ETag (or `*`); failing that header, `If-Modified-Since` is at or after Last-Modified.
 */
export function notModified(
  method: string,
  request: IncomingHttpHeaders,
  etag: string,
  storedAt: number | undefined,
): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const ifNoneMatch = request['if-none-match'];
  if (ifNoneMatch !== undefined) {
    // Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
    return ifNoneMatch.split(',').some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
    });
  }
  const since = request['if-modified-since'];
  if (since === undefined || storedAt === undefined) return false;
  const sinceMs = Date.parse(since);
  // Last-Modified has whole seconds.
  return Number.isFinite(sinceMs) && Math.floor(storedAt / 1000) * 1000 <= sinceMs;
}

/** A response from the cache, or one stored by this request. */
export interface Served {
  readonly stored: StoredResponse;
  /** Undefined when the response is not (or no longer) in the cache. */
  readonly times: EntryTimes | undefined;
}

/** What to send: a 304 without a body, or the stored response with the cache's headers. */
export interface Outgoing {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Uint8Array | undefined;
}

/** The response to send for `served`, given the request's method and conditional headers. */
export function outgoing(
  served: Served,
  outcome: CacheOutcome,
  method: string,
  conditional: IncomingHttpHeaders,
  options: ResolvedHttpOptions<never>,
): Outgoing {
  const { stored, times } = served;
  const own = cacheHeaders(stored, times, outcome, options);
  if (notModified(method, conditional, stored.etag, times?.storedAt))
    return { status: 304, headers: own, body: undefined };
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of stored.headers) headers[name] = typeof value === 'string' ? value : [...value];
  Object.assign(headers, own);
  headers['content-length'] = String(stored.body.byteLength);
  return { status: stored.status, headers, body: stored.body };
}

/** The conditional headers of a request, kept before the handler runs. */
export function conditionalHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept: IncomingHttpHeaders = {};
  if (headers['if-none-match'] !== undefined) kept['if-none-match'] = headers['if-none-match'];
  if (headers['if-modified-since'] !== undefined) kept['if-modified-since'] = headers['if-modified-since'];
  return kept;
}

/** The bytes of a body a handler gave in one piece, or undefined for anything else or over `max`. */
export function bodyBytes(body: unknown, encoding: BufferEncoding | undefined, max: number): Uint8Array | undefined {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (typeof body === 'string') {
    if (Buffer.byteLength(body, encoding ?? 'utf8') > max) return undefined;
    return Buffer.from(body, encoding ?? 'utf8');
  }
  if (body instanceof Uint8Array) return body.byteLength > max ? undefined : body;
  return undefined;
}
