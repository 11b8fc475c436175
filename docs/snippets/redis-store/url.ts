import { createCache } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';

export function fromUrl() {
  // #region url
  const cache = createCache({ store: redisStore({ url: 'redis://localhost:6379' }) });
  // #endregion url
  return cache;
}

export function withClientOptions(ca: string) {
  return (
    // #region client-options
    redisStore({
      url: process.env.REDIS_URL!,
      clientOptions: { commandTimeout: 250, tls: { ca } },
    })
    // #endregion client-options
  );
}
