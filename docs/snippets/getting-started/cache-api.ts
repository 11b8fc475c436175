import { db } from '../support.js';
import { cache } from './create-cache.js';

const id = 1;
// #region cache-api
// Read through: the loader runs once per process for concurrent callers of a cold key.
const user = await cache.wrap(`user:${id}`, () => db.users.find(id), {
  ttl: '1m',
  tags: [`user:${id}`],
  unless: (value) => value === null, // returned, not stored
  name: 'users.find', // label in stats().byMethod (not starting with '#'); default '#wrap'
});

await cache.set('config', { flags: ['a'] }, { ttl: '10m', tags: ['config'] });
const config = await cache.get<{ flags: string[] }>('config'); // undefined on a miss

const entry = await cache.getEntry('config');
// { value, storedAt, expiresAt, tags: ['config'], etag } or undefined on a miss

await cache.delete('config', `user:${id}`); // keys, or methodKey(...) references
await cache.invalidateTags([`user:${id}`]); // every entry with the tag
await cache.clear(); // every entry of this namespace, O(1)
// #endregion cache-api

export { config, entry, user };
