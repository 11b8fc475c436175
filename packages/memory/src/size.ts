/**
 * Most values (objects, array items, properties, Map and Set members) the default size
 * estimate visits in one value. Past it the value counts as too large to store: the walk
 * stays bounded (a few tens of milliseconds at most), and a caller with values this large
 * gives `sizeOf` instead.
 */
export const MAX_SIZE_NODES = 1_000_000;

/**
 * A rough size in bytes of a live value: enough to bound memory, not a measurement.
 *
 * Everything reachable is counted, at any depth, and each object once: a shared reference
 * or a cycle costs a pointer, not a second walk, so the work is linear in the value's size.
 * Strings are primitives, counted wherever they appear. The walk stops as soon as the total
 * passes `limit` (the value cannot fit, so its exact size does not matter), and returns
 * `Infinity` past {@link MAX_SIZE_NODES} values.
 */
export function estimateSize(value: unknown, limit = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'object' || value === null) return primitiveSize(value);
  return new SizeWalk(limit).run(value);
}

function primitiveSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return 16 + value.length * 2;
    case 'number':
    case 'boolean':
    case 'undefined':
      return 8;
    case 'bigint':
      return 16;
    case 'object':
      return 8; // null
    default:
      return 16; // functions and symbols: a reference to something the value does not own
  }
}

/** One estimate: an explicit stack (no recursion, so no depth limit) and a visited set. */
class SizeWalk {
  #size = 0;
  #nodes = 0;
  readonly #limit: number;
  readonly #seen = new Set<object>();
  readonly #pending: object[] = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  run(root: object): number {
    this.#seen.add(root);
    this.#pending.push(root);
    while (this.#pending.length > 0) {
      if (this.#expand(this.#pending.pop()!)) break;
    }
    return this.#nodes > MAX_SIZE_NODES ? Number.POSITIVE_INFINITY : this.#size;
  }

  /** Counts one object and queues what it holds; true when the walk should stop. */
  #expand(object: object): boolean {
    if (ArrayBuffer.isView(object)) return this.#count(64 + object.byteLength);
    if (object instanceof ArrayBuffer) return this.#count(64 + object.byteLength);
    if (this.#count(32)) return true;
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) if (this.#add(object[i], 8)) return true;
    } else if (object instanceof Map) {
      for (const [key, item] of object) if (this.#add(key, 16) || this.#add(item, 0)) return true;
    } else if (object instanceof Set) {
      for (const item of object) if (this.#add(item, 16)) return true;
    } else {
      for (const key in object)
        if (this.#add((object as Record<string, unknown>)[key], 8 + key.length * 2)) return true;
    }
    return false;
  }

  /** Counts a slot holding `item` (`overhead` bytes), and `item` itself unless already seen. */
  #add(item: unknown, overhead: number): boolean {
    if (typeof item === 'object' && item !== null) {
      if (this.#seen.has(item)) return this.#count(overhead);
      this.#seen.add(item);
      this.#pending.push(item);
      return this.#count(overhead);
    }
    return this.#count(overhead + primitiveSize(item));
  }

  #count(bytes: number): boolean {
    this.#size += bytes;
    return ++this.#nodes > MAX_SIZE_NODES || this.#size > this.#limit;
  }
}
