import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';

/** bentocache with only its L1 memory layer, on its fast path (no serialization). */
export const peer: Peer = {
  label: 'bentocache getOrSet()',
  setupNote: '`getOrSet({ key, factory, ttl: 5m })`, L1 `memoryDriver({ maxItems: capacity, serialize: false })`',
  async setup({ capacity }) {
    const loader = new Loader();
    const bento = new BentoCache({
      default: 'memory',
      stores: { memory: bentostore().useL1Layer(memoryDriver({ maxItems: capacity, serialize: false })) },
    });
    return {
      call: (id) => bento.getOrSet({ key: `user:${id}`, factory: () => loader.load(id), ttl: '5m' }),
      loads: () => loader.count,
      close: () => bento.disconnectAll(),
    };
  },
};
