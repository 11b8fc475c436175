import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/** The floor: an await of a Map lookup, with no TTL, bound or key derivation beyond a template string. */
export const peer: Peer = {
  label: 'raw Map',
  setupNote: '`await` of an async function around `Map.get`, get-or-set by hand',
  async setup() {
    const loader = new Loader();
    const map = new Map<string, unknown>();
    async function get(id: number): Promise<unknown> {
      const key = `user:${id}`;
      const hit = map.get(key);
      if (hit !== undefined) return hit;
      const value = loader.load(id);
      map.set(key, value);
      return value;
    }
    return { call: get, loads: () => loader.count };
  },
};
