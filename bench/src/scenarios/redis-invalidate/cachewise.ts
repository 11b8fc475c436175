import { createCache } from '@cachewise/core';
import { makeUser } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { connectIoredis, loadRedisStore } from '../redis-hit/connection.js';
import { TAG, type TaggedSubject } from './subject.js';

/** cachewise's `invalidateTags` on the Redis store, entries written with the direct API. */
export const peer: Peer<TaggedSubject> = {
  label: 'cachewise invalidateTags (redisStore)',
  setupNote:
    "`cache.set(key, user, { tags: ['catalog'] })` then `cache.invalidateTags(['catalog'])`, " +
    "`createCache({ store: redisStore({ client: ioredis, prefix: 'cw' }), namespace: 'bench' })`, plain ioredis client",
  async setup(context) {
    const redisStore = await loadRedisStore();
    const client = await connectIoredis(context);
    // Every command ioredis sends, pipelined or not, goes through sendCommand.
    let sent = 0;
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((...args: Parameters<typeof send>) => {
      sent++;
      return send(...args);
    }) as typeof client.sendCommand;
    const cache = createCache({ store: redisStore({ client, prefix: 'cw' }), namespace: 'bench', ttl: '1h' });
    return {
      write: (id) => cache.set(`product:${id}`, makeUser(id), { tags: [TAG] }),
      read: (id) => cache.get(`product:${id}`),
      invalidate: () => cache.invalidateTags([TAG]),
      commandsSent: () => sent,
      close: async () => {
        await cache.close();
        if (client.status !== 'end') await client.quit();
      },
    };
  },
};
