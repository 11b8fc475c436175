import { Loader, type User } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/**
 * The payload alone: the values in an array indexed by id, allocated up front, so an entry
 * costs its value plus one 8-byte slot and no key. Other rows' "over the values" column
 * subtracts this row.
 */
export const peer: Peer = {
  label: 'values alone',
  setupNote: '`values[id] ??= load(id)` in an array of `capacity + 1` slots allocated up front (no keys)',
  async setup({ capacity }) {
    const loader = new Loader();
    const values = new Array<User | undefined>(capacity + 1);
    return {
      call: async (id) => (values[id] ??= loader.load(id)),
      loads: () => loader.count,
    };
  },
};
