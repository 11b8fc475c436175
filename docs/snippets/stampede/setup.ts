import { client } from '../redis-client.js';
import { db } from '../support.js';

// #region setup
import { Cached, createCache, Invalidates } from '@cachewise/core';
import { redisStore, redlockProtector } from '@cachewise/redis';

const cache = createCache({
  store: redisStore({ client }),
  stampede: redlockProtector({ client }),
  staleWhileRevalidate: '1m', // cache-wide defaults; each also per @Cached / wrap / cached()
  staleIfError: '1h',
  earlyRefresh: true, // or { beta: 1.5 }
});

class UserRepository {
  @Cached({ ttl: '30s', staleWhileRevalidate: '5m', earlyRefresh: { beta: 2 } })
  async findById(id: number) {
    return db.users.find(id);
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`], mode: 'expire' }) // keep as stale
  async touch(id: number) {
    await db.users.update(id, {});
  }
}
// #endregion setup

export { cache, UserRepository };
