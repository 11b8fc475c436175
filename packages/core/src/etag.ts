import { hash } from './keys.js';
import type { ResolvedCacheOptions } from './options.js';
import type { CacheRecord } from './record.js';
import { jsonSerializer } from './serializer.js';

/**
 * A strong validator for an entry: the hash of its value's bytes, so equal values give
 * equal etags on every server. Byte stores hash what the cache's serializer writes; live
 * stores hash the JSON serializer's bytes, or (a value it cannot encode) the key and the
 * time it was stored.
 */
export function etagOf(record: CacheRecord, key: string, options: ResolvedCacheOptions): string {
  let bytes: Uint8Array | string;
  try {
    bytes = (options.store.payload === 'bytes' ? options.serializer : jsonSerializer).encode(record.value);
  } catch {
    bytes = `${key}\u0000${record.storedAt}`;
  }
  return `"${hash(bytes).slice(0, 27)}"`;
}
