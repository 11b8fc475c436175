// #region map-store
import { type ByteStore, type TagState, UNTOUCHED_TAG } from '@cachewise/core/store';

export function mapStore(): ByteStore {
  const entries = new Map<string, { bytes: Uint8Array; expiresAt: number }>();
  const tags = new Map<string, TagState>();
  const generations = new Map<string, number>();
  let sequence = 0; // one counter for versions and generations: they only grow

  const readTags = (ids: readonly string[]): TagState[] => ids.map((id) => tags.get(id) ?? UNTOUCHED_TAG);

  return {
    name: 'map',
    payload: 'bytes',
    read(key, tagIds) {
      const entry = entries.get(key);
      if (entry !== undefined && entry.expiresAt <= Date.now()) entries.delete(key);
      return {
        record: entries.get(key)?.bytes,
        tags: readTags(tagIds),
        generation: generations.get(key) ?? 0,
      };
    },
    readTags,
    write(key, bytes, { ttlMs, generation }) {
      // Check and write in one step: nothing can run between them here.
      if (generation === undefined)
        generations.set(key, ++sequence); // a set(): older loads lose
      else if (generation !== (generations.get(key) ?? 0)) return false;
      entries.set(key, { bytes, expiresAt: Date.now() + ttlMs });
      return true;
    },
    delete(keys) {
      for (const key of keys) {
        entries.delete(key);
        generations.set(key, ++sequence);
      }
    },
    invalidateTags(ids, mode) {
      for (const id of ids) {
        const version = ++sequence;
        const hardVersion = mode === 'delete' ? version : (tags.get(id) ?? UNTOUCHED_TAG).hardVersion;
        tags.set(id, { version, hardVersion });
      }
    },
    close() {
      entries.clear();
    },
  };
}
// #endregion map-store
