import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { UserRepository } from '../getting-started/user-repository.js';

createCache({ store: memoryStore(), namespace: 'live', setAsDefault: true });
const users = new UserRepository();

// #region mutation
const user = await users.findById(1); // cached object
user!.name = 'changed'; // changes the cached entry too
await users.findById(1); // { …, name: 'changed' }
// #endregion mutation

export { users };
