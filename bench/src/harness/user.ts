/** The cached value of every scenario: about 210 bytes as JSON. */
export interface User {
  id: number;
  name: string;
  email: string;
  role: 'admin' | 'member';
  active: boolean;
  createdAt: string;
  tags: string[];
  bio: string;
}

/** Builds the user `id`, as a loader would after a database round trip. */
export function makeUser(id: number): User {
  return {
    id,
    name: `User ${id}`,
    email: `user${id}@example.com`,
    role: id % 10 === 0 ? 'admin' : 'member',
    active: id % 3 !== 0,
    createdAt: new Date(1_700_000_000_000 + id * 1000).toISOString(),
    tags: ['alpha', 'beta'],
    bio: 'Writes caching libraries and benchmarks them carefully.',
  };
}

/**
 * The loader every peer calls on a miss. Its count proves a measured phase was all hits:
 * it must not move while hits are timed.
 */
export class Loader {
  count = 0;

  load(id: number): User {
    this.count++;
    return makeUser(id);
  }
}

/** The id of a key `user:<id>`, for loaders that only get the key. */
export function idOfKey(key: string): number {
  return Number(key.slice(key.lastIndexOf(':') + 1));
}
