import { CacheConfig, Cached } from '@cachewise/core';
import type { Peer } from '../peer.js';
import { createTieredCache, TIERED_NOTE } from '../tiered-hit/cachewise-tiered.js';
import { METHODS, type Method } from './methods.js';
import type { OutageSubject } from './subject.js';

/** The fault settings. */
const FAULTS = { storeTimeout: '100ms', circuitBreaker: { failures: 5, cooldown: '5s' } } as const;

/** One `@Cached` method per cost, each calling the uncached method it is compared with. */
export const peer: Peer<OutageSubject> = {
  label: 'cachewise @Cached (tiered)',
  setupNote: `\`@Cached({ ttl: '5m' })\`, ${TIERED_NOTE}, \`storeTimeout: '100ms'\`, \`circuitBreaker: { failures: 5, cooldown: '5s' }\``,
  async setup(context) {
    const { cache, close } = await createTieredCache(context, { namespace: 'outage', ...FAULTS });
    const cached = new Map<string, Method>();
    let runs = 0;
    for (const { id, method } of METHODS) {
      // One class per method, each named apart, so their keys never meet.
      @CacheConfig({ name: `Outage-${id}` })
      class Repo {
        @Cached({ ttl: '5m' })
        async find(key: number): Promise<{ id: number }> {
          runs++;
          return method(key);
        }
      }
      const repo = new Repo();
      cached.set(id, (key) => repo.find(key));
    }
    return {
      cached: (id) => cached.get(id)!,
      runs: () => runs,
      circuit: () => cache.stats().circuit,
      close,
    };
  },
};
