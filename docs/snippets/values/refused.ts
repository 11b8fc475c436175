import { createCache, isSerializationError } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';

class User {
  constructor(readonly id: number) {}
}
const cache = createCache({ store: memoryStore({ serialize: true }), namespace: 'values' });
const logged: unknown[][] = [];
const console = { log: (...args: unknown[]) => logged.push(args) };

// #region refused
try {
  await cache.set('order:1', { owner: new User(1) });
} catch (error) {
  if (isSerializationError(error)) console.log(error.className, error.path); // 'User', '$.owner'
}
// #endregion refused

export { logged };
