import { memoryStore } from '@cachewise/memory';

class User {
  constructor(readonly id: number) {}
}
class Money {
  constructor(readonly cents: number) {}
}
// In the guide this is Redis; the memory store with `serialize: true` goes through the same serializer.
const redisStore = (_: { client: unknown }) => memoryStore({ serialize: true });
const client = {};

// #region classes
import { createCache, createJsonSerializer } from '@cachewise/core';

const serializer = createJsonSerializer({
  classes: [
    { name: 'User', type: User },
    { name: 'Money', type: Money, toJSON: (m) => m.cents, revive: (cents) => new Money(cents as number) },
  ],
});
const cache = createCache({ store: redisStore({ client }), serializer });
// #endregion classes

export { cache, Money, User };
