// #region cached-function
import { cached } from '@cachewise/core';

const findUser = cached(async (id: number) => db.users.find(id), {
  name: 'findUser',
  ttl: '1m',
  tags: (id: number) => [`user:${id}`],
});

await findUser(42);
await cache.delete(findUser.keyFor(42)); // drop the entry for these arguments
// #endregion cached-function
import { db } from '../support.js';
import { cache } from './create-cache.js';

export { findUser };
