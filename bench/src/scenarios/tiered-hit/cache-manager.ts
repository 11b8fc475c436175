import { createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Keyv, type KeyvOptions } from 'keyv';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { redisPort } from '../redis-hit/connection.js';

/**
 * cache-manager 7's tiered form: two stores, read in order (a memory Keyv first, @keyv/redis
 * second); a miss is written to both. It has no bus: the L1s of several processes are not
 * kept coherent. The memory Keyv keeps live values (no serialization), its fastest setting.
 */
export const peer: Peer = {
  label: 'cache-manager wrap() (memory + Redis stores)',
  setupNote:
    '`wrap(key, loader, 5m)`, `stores: [new Keyv({ serialize: undefined, deserialize: undefined }), createKeyv(url)]` ' +
    '(memory first, no bus)',
  async setup(context) {
    const loader = new Loader();
    // Keyv 5 stores values as they are when both are unset (checked: its Map then holds the
    // object, not a JSON string); the types do not allow unsetting them, hence the cast.
    const memory = new Keyv({ serialize: undefined, deserialize: undefined } as unknown as KeyvOptions);
    const redis = createKeyv(`redis://127.0.0.1:${redisPort(context)}`, { namespace: 'cm' });
    const cache = createCache({ stores: [memory, redis] });
    return {
      call: (id) => cache.wrap(`user:${id}`, async () => loader.load(id), 5 * 60_000),
      loads: () => loader.count,
      close: async () => {
        await cache.disconnect();
      },
    };
  },
};
