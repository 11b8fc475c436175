import { Cached } from '@cachewise/core';
import type { Peer } from '../peer.js';
import { cachewiseRedisSubject, REDIS_STORE_NOTE } from './cachewise-subject.js';

/**
 * The product's main path over Redis: a decorated method, no L1. The client is a plain
 * ioredis client (no `enableAutoPipelining`): the store itself sends reads issued in the
 * same tick as one MGET of their distinct keys, and that is part of what this row measures.
 */
export const peer: Peer = {
  label: 'cachewise @Cached (redisStore)',
  setupNote: `\`@Cached({ ttl: '5m' })\` (default key), ${REDIS_STORE_NOTE}`,
  setup: (context) =>
    cachewiseRedisSubject(context, (loader) => {
      class Repo {
        @Cached({ ttl: '5m' })
        async findById(id: number): Promise<unknown> {
          return loader.load(id);
        }
      }
      return new Repo();
    }),
};
