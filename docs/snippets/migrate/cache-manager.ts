// The calls of docs/migrate/cache-manager.md, on a cachewise cache.
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { db } from '../support.js';

export async function calls() {
  const cache = createCache({ store: memoryStore(), namespace: 'migrated', ttl: '5m' });
  const id = 1;
  // #region calls
  // was: await cache.set('config', { flags: ['a'] }, 10 * 60_000);
  await cache.set('config', { flags: ['a'] }, { ttl: '10m' });

  // was: await cache.get('config'); undefined on a miss, as in cache-manager v7 (v6: null)
  const config = await cache.get<{ flags: string[] }>('config');

  // was: await cache.ttl('config'); the expiry time, in ms since the epoch
  const expiresAt = (await cache.getEntry('config'))?.expiresAt;

  // was: await cache.wrap(`user:${id}`, () => db.users.find(id), 60_000, 10_000);
  const user = await cache.wrap(`user:${id}`, () => db.users.find(id), {
    ttl: '1m',
    earlyRefresh: true, // instead of refreshThreshold: refreshed in the background before expiry
    tags: [`user:${id}`], // lets a write drop every entry about this user at once
  });

  // was: await cache.mdel([`user:${id}`, 'config']);
  await cache.delete(`user:${id}`, 'config');

  // was: await cache.clear(); this namespace only, in one write
  await cache.clear();

  // was: await cache.disconnect();
  await cache.close();
  // #endregion calls
  return { config, expiresAt, user };
}
