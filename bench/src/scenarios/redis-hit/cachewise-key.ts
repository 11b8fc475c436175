import { Cached } from '@cachewise/core';
import type { Peer } from '../peer.js';
import { cachewiseRedisSubject, REDIS_STORE_NOTE } from './cachewise-subject.js';

/** The same row as `cachewise`, with a key function, as many users write it. */
export const peer: Peer = {
  label: 'cachewise @Cached + key fn (redisStore)',
  setupNote: "``@Cached({ ttl: '5m', key: (id) => `user:${id}` })``, " + REDIS_STORE_NOTE,
  setup: (context) =>
    cachewiseRedisSubject(context, (loader) => {
      class Repo {
        @Cached({ ttl: '5m', key: (id: number) => `user:${id}` })
        async findById(id: number): Promise<unknown> {
          return loader.load(id);
        }
      }
      return new Repo();
    }),
};
