import { createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { redisPort, TTL_SECONDS } from './connection.js';

/** cache-manager 7 over Keyv with @keyv/redis (node-redis underneath, its own connection). */
export const peer: Peer = {
  label: 'cache-manager + @keyv/redis',
  setupNote: '`wrap(key, loader, 5m)`, `stores: [createKeyv(url, { namespace })]`',
  async setup(context) {
    const loader = new Loader();
    const keyv = createKeyv(`redis://127.0.0.1:${redisPort(context)}`, { namespace: 'cm' });
    const cache = createCache({ stores: [keyv] });
    return {
      call: (id) => cache.wrap(`user:${id}`, async () => loader.load(id), TTL_SECONDS * 1000),
      loads: () => loader.count,
      close: async () => {
        await cache.disconnect();
      },
    };
  },
};
