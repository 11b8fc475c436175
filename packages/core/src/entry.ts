import { DecodeError, SerializationError } from './errors.js';
import type { Serializer } from './serializer.js';

/**
 * The stored envelope: a value and what is needed to judge it later. Stores that hold
 * live values keep this object as it is; byte stores keep {@link encodeRecord}'s output.
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
}

const MAGIC = 'cw1';
const NEWLINE = 0x0a;

/** Limits for reading untrusted payloads. */
export interface DecodeLimits {
  /** Payloads larger than this are refused as a miss. */
  readonly maxPayloadBytes: number;
}

/**
 * Envelope layout: `cw1\n<meta JSON>\n<value bytes>`. The meta is ours and always JSON;
 * the value bytes are the serializer's.
 */
export function encodeRecord(record: CacheRecord, serializer: Serializer, limits: DecodeLimits): Uint8Array {
  let body: Uint8Array;
  try {
    body = serializer.encode(record.value);
  } catch (cause) {
    if (cause instanceof SerializationError) throw cause;
    throw new SerializationError(`serializer '${serializer.name}' could not encode the value`, { cause });
  }
  const meta = Buffer.from(
    `${MAGIC}\n${JSON.stringify([record.storedAt, record.expiresAt, record.tags, record.versions])}\n`,
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
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
  return { value, storedAt: meta[0], expiresAt: meta[1], tags: meta[2], versions: meta[3] };
}

type Meta = [number, number, string[], number[]];
function isMeta(meta: unknown): meta is Meta {
  return (
    Array.isArray(meta) &&
    meta.length === 4 &&
    typeof meta[0] === 'number' &&
    typeof meta[1] === 'number' &&
    Array.isArray(meta[2]) &&
    Array.isArray(meta[3]) &&
    meta[2].length === meta[3].length &&
    meta[2].every((tag: unknown) => typeof tag === 'string') &&
    meta[3].every((version: unknown) => typeof version === 'number')
  );
}
