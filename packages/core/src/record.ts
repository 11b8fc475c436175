import { DecodeError, SerializationError } from './errors.js';
import { defaultJsonCodec, type JsonCodec, jsonCodecOf, type Serializer } from './serializer.js';

/**
 * The stored envelope: a value and what is needed to judge it later. Stores that hold
 * live values keep this object as it is; byte stores keep the encoded bytes core gives them.
 */
export interface CacheRecord<T = unknown> {
  readonly value: T;
  /** When the value was written (ms since epoch, the cache's clock); the TTL counts from here. */
  readonly storedAt: number;
  /** When the value stops being fresh. */
  readonly expiresAt: number;
  /** Tag ids (namespace tag first), as the store knows them. */
  readonly tags: readonly string[];
  /** Each tag's version when the load started, aligned with `tags`. */
  readonly versions: readonly number[];
  /**
   * How long the load that produced the value took (ms; 0 for a `set`): early refresh
   * (XFetch) refreshes slow-to-load entries earlier than quick ones.
   */
  readonly delta: number;
}

const MAGIC = 'cw1';
const NEWLINE = 0x0a;
const JSON_FORMAT = 3;
/** 0.1's layout, without `delta`: still read, so a rolling upgrade keeps its entries. */
const JSON_FORMAT_V2 = 2;
const OPEN_BRACKET = 0x5b;

/** Limits for reading untrusted payloads. */
export interface DecodeLimits {
  /** Payloads larger than this are refused as a miss. */
  readonly maxPayloadBytes: number;
}

/**
 * Two envelope layouts:
 * - with a JSON serializer (the default `jsonSerializer`, or one from `createJsonSerializer`), one JSON array
 *   `[3,storedAt,expiresAt,tags,versions,tagged,value,delta]`, so a read is one `JSON.parse`
 *   (0.1 wrote `[2,…,value]`, without `delta`; both are read);
 * - with any other serializer, `cw1\n<meta JSON>\n<value bytes>`, the value bytes being
 *   the serializer's own, the meta `[storedAt,expiresAt,tags,versions,delta]` (0.1: no delta).
 * The first byte tells them apart; anything else is refused as an unknown format.
 */
export function encodeRecord(record: CacheRecord, serializer: Serializer, limits: DecodeLimits): Uint8Array {
  const codec = jsonCodecOf(serializer);
  if (codec !== undefined) return encodeJsonRecord(record, codec, limits);
  let body: Uint8Array;
  try {
    body = serializer.encode(record.value);
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    throw new SerializationError(`serializer '${serializer.name}' could not encode the value`, { cause });
  }
  const meta = Buffer.from(
    `${MAGIC}\n${JSON.stringify([record.storedAt, record.expiresAt, record.tags, record.versions, record.delta])}\n`,
    'utf8',
  );
  if (meta.byteLength + body.byteLength > limits.maxPayloadBytes) {
    throw new SerializationError(
      `the serialized value is ${meta.byteLength + body.byteLength} bytes, over maxPayloadBytes (${limits.maxPayloadBytes})`,
    );
  }
  return Buffer.concat([meta, body]);
}

/** Reads an envelope written by {@link encodeRecord}; throws `DecodeError` for anything else. */
export function decodeRecord(bytes: Uint8Array, serializer: Serializer, limits: DecodeLimits): CacheRecord {
  if (bytes.byteLength > limits.maxPayloadBytes) {
    throw new DecodeError(`payload of ${bytes.byteLength} bytes is over maxPayloadBytes (${limits.maxPayloadBytes})`);
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // A JSON envelope read by a cache with another serializer decodes with the default one
  // (it knows no classes).
  if (buffer[0] === OPEN_BRACKET) return decodeJsonRecord(buffer, jsonCodecOf(serializer) ?? defaultJsonCodec);
  const first = buffer.indexOf(NEWLINE);
  if (first !== MAGIC.length || buffer.toString('latin1', 0, first) !== MAGIC) {
    throw new DecodeError('unknown payload format (expected a cachewise v1 envelope)');
  }
  const second = buffer.indexOf(NEWLINE, first + 1);
  if (second < 0) throw new DecodeError('truncated payload');
  let meta: unknown;
  try {
    meta = JSON.parse(buffer.toString('utf8', first + 1, second));
  } catch (cause) {
    throw new DecodeError('payload metadata is not valid JSON', { cause });
  }
  if (!isMeta(meta)) throw new DecodeError('payload metadata has the wrong shape');
  let value: unknown;
  try {
    value = serializer.decode(buffer.subarray(second + 1));
  } catch (cause) {
    if (cause instanceof DecodeError) throw cause;
    throw new DecodeError(`serializer '${serializer.name}' could not decode the value`, { cause });
  }
  return { value, storedAt: meta[0], expiresAt: meta[1], tags: meta[2], versions: meta[3], delta: meta[4] ?? 0 };
}

type Meta = [number, number, string[], number[], number?];
function isMeta(meta: unknown): meta is Meta {
  return (
    Array.isArray(meta) &&
    (meta.length === 4 || (meta.length === 5 && isDelta(meta[4]))) &&
    typeof meta[0] === 'number' &&
    typeof meta[1] === 'number' &&
    isTagList(meta[2], meta[3])
  );
}

function isDelta(delta: unknown): delta is number {
  return typeof delta === 'number' && delta >= 0 && delta !== Number.POSITIVE_INFINITY;
}

function isTagList(tags: unknown, versions: unknown): tags is string[] {
  if (!Array.isArray(tags) || !Array.isArray(versions) || tags.length !== versions.length) return false;
  for (let i = 0; i < tags.length; i++) {
    if (typeof tags[i] !== 'string' || typeof versions[i] !== 'number') return false;
  }
  return true;
}

function tooLarge(bytes: number, limits: DecodeLimits): SerializationError {
  return new SerializationError(
    `the serialized value is ${bytes} bytes, over maxPayloadBytes (${limits.maxPayloadBytes})`,
  );
}

function encodeJsonRecord(record: CacheRecord, codec: JsonCodec, limits: DecodeLimits): Uint8Array {
  let json: { text: string; tagged: boolean };
  try {
    json = codec.toText(record.value);
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    throw new SerializationError('the value could not be encoded as JSON', { cause });
  }
  const head = `[${JSON_FORMAT},${record.storedAt},${record.expiresAt},${JSON.stringify(record.tags)},${JSON.stringify(record.versions)},${json.tagged ? 1 : 0},`;
  const bytes = Buffer.from(`${head}${json.text},${record.delta}]`, 'utf8');
  if (bytes.byteLength > limits.maxPayloadBytes) throw tooLarge(bytes.byteLength, limits);
  return bytes;
}

function decodeJsonRecord(buffer: Buffer, codec: JsonCodec): CacheRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(buffer.toString('utf8'));
  } catch (cause) {
    throw new DecodeError('payload is not valid JSON', { cause });
  }
  const current = Array.isArray(parsed) && parsed[0] === JSON_FORMAT && parsed.length === 8;
  if (!current && !(Array.isArray(parsed) && parsed[0] === JSON_FORMAT_V2 && parsed.length === 7)) {
    throw new DecodeError(`unknown payload format (expected a cachewise v${JSON_FORMAT} JSON envelope)`);
  }
  const [, storedAt, expiresAt, tags, versions, tagged, value, delta = 0] = parsed as unknown[];
  if (
    !isDelta(delta) ||
    typeof storedAt !== 'number' ||
    typeof expiresAt !== 'number' ||
    (tagged !== 0 && tagged !== 1) ||
    !isTagList(tags, versions)
  ) {
    throw new DecodeError('payload metadata has the wrong shape');
  }
  return {
    value: codec.fromParsed(value, tagged === 1),
    storedAt,
    expiresAt,
    tags,
    versions: versions as number[],
    delta,
  };
}
