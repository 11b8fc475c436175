import { createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import type { Peer } from '../peer.js';
import { redisPort } from '../redis-hit/connection.js';
import { SlowLoader } from './loader.js';

/** cache-manager 7 over Keyv with @keyv/redis; its `wrap` coalesces concurrent calls in-process. */
export const peer: Peer = {
  label: 'cache-manager + @keyv/redis',
  setupNote: '`wrap(key, loader, 5m)`, `stores: [createKeyv(url, { namespace })]`',
  async setup(context) {
    const loader = await SlowLoader.connect(context);
    const keyv = createKeyv(`redis://127.0.0.1:${redisPort(context)}`, { namespace: 'cm' });
    const cache = createCache({ stores: [keyv] });
    return {
      call: (id) => cache.wrap(`user:${id}`, () => loader.load(id), 300_000),
      loads: () => loader.count,
      close: async () => {
        await cache.disconnect();
        await loader.close();
      },
    };
  },
};
