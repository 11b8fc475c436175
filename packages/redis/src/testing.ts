import type { ByteStore } from '@cachewise/core/store';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import type { RedisStoreOptions } from './options.js';
import { redisStore } from './redis-store.js';

/**
 * A Redis store on ioredis-mock, for fast unit tests of your own code: no server needed.
 * Stores made with the same `name` share data (like clients of one server).
 *
 * Limits: ioredis-mock runs the store's Lua scripts in an emulator and keeps strings, so
 * payloads from a custom binary serializer are not byte-exact, expiry follows the mock's
 * clock, and nothing about Redis latency, Cluster slots or failures is exercised. Test
 * those against a real redis-server.
 *
 * @example
 * const cache = createCache({ store: mockRedisStore() });
 */
export function mockRedisStore(
  options: Omit<RedisStoreOptions, 'client' | 'url' | 'clientOptions'> & { name?: string } = {},
): ByteStore {
  const { name = 'cachewise-mock', ...rest } = options;
  return redisStore({ ...rest, client: mockClient(name) });
}

// One mock client per name: each new ioredis-mock client registers a listener on the
// data it shares, so making one per store would leak listeners in a long test run.
const clients = new Map<string, Redis>();
function mockClient(name: string): Redis {
  let client = clients.get(name);
  if (client === undefined) {
    client = new RedisMock({ host: name, port: 6379 }) as unknown as Redis;
    clients.set(name, client);
  }
  return client;
}
