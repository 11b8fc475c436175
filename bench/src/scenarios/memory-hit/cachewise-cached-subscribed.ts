import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { CACHE_CHANNELS, Cached } from '@cachewise/core';
import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { createMemoryCache, MEMORY_CACHE_NOTE } from './cachewise-memory.js';

/**
 * `cachewise @Cached` with a diagnostics_channel subscriber on `cachewise:set`, a channel a
 * hit does not publish on: against the `cachewise-cached` row of the same run, what a
 * tracer that listens to writes costs a hit (a field read of the hit channel's subscribers).
 */
export const peer: Peer = {
  label: 'cachewise @Cached, a cachewise:set subscriber',
  setupNote: `as \`cachewise @Cached\`, plus \`diagnostics_channel.subscribe('cachewise:set', …)\`; ${MEMORY_CACHE_NOTE}`,
  async setup({ capacity }) {
    const loader = new Loader();
    const cache = createMemoryCache(capacity);
    let sets = 0;
    const onSet = (): void => {
      sets++;
    };
    subscribe(CACHE_CHANNELS.set, onSet);

    class Repo {
      @Cached({ ttl: '5m' })
      async findById(id: number): Promise<unknown> {
        return loader.load(id);
      }
    }

    const repo = new Repo();
    return {
      call: (id) => repo.findById(id),
      loads: () => loader.count,
      close: async () => {
        unsubscribe(CACHE_CHANNELS.set, onSet);
        if (sets === 0) throw new Error('the cachewise:set subscriber saw no write');
        await cache.close();
      },
    };
  },
};
