// #region mock
import { createCache } from '@cachewise/core';
import { mockRedisStore } from '@cachewise/redis/testing';

const cache = createCache({ store: mockRedisStore(), namespace: 'test' });
// #endregion mock

export { cache };
