/** What a redis-invalidate peer hands the measure: entries written under one tag, and the tag's invalidation. */
export interface TaggedSubject {
  /** Writes the entry of `id`, tagged `catalog`. */
  write(id: number): Promise<void>;
  /** Reads the entry of `id`: the value, or undefined on a miss. */
  read(id: number): Promise<unknown>;
  /** Invalidates the tag `catalog`: the operation being measured. */
  invalidate(): Promise<void>;
  /** Commands the peer's Redis client has sent so far, counted on the client. */
  commandsSent(): number;
  close(): Promise<void>;
}

export const TAG = 'catalog';
