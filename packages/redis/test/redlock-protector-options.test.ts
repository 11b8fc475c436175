// Every bad option of redlockProtector is refused at creation with a CacheOptionsError
// that names the option and what would be valid.
import { CacheOptionsError } from '@cachewise/core';
import { type RedlockProtectorOptions, redlockProtector } from '@cachewise/redis';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterAll, describe, expect, it } from 'vitest';

// Options are checked before any command: a client that never connects is enough.
const client = new RedisMock() as unknown as Redis;
const other = new RedisMock() as unknown as Redis;
afterAll(() => {
  client.disconnect();
  other.disconnect();
});

const cases: Array<[string, unknown, RegExp]> = [
  ['no options object', null, /options must be an object with a `client`/],
  ['neither client nor clients', {}, /give exactly one of `client`.*and `clients`/],
  ['both client and clients', { client, clients: [client] }, /give exactly one of `client`/],
  [
    'a client that is not ioredis',
    { client: { get() {} } },
    /`client` must be an ioredis Redis or Cluster instance; got /,
  ],
  [
    'clients not an array',
    { clients: client },
    /`clients` must be a non-empty array of ioredis Redis or Cluster instances/,
  ],
  ['clients empty', { clients: [] }, /`clients` must be a non-empty array/],
  ['clients with a non-client', { clients: [client, 'redis://x'] }, /`clients` must be a non-empty array/],
  ['the same client twice', { clients: [client, other, client] }, /`clients` must not list the same client twice/],
  [
    'an unknown option',
    { client, ttl: '5s' },
    /unknown option 'ttl'. Known options: client, clients, lockTtl, wait, prefix/,
  ],
  ['lockTtl not a duration', { client, lockTtl: '5 s' }, /`lockTtl` must be a positive duration/],
  ['lockTtl zero', { client, lockTtl: 0 }, /`lockTtl` must be a positive duration/],
  ['lockTtl under 100 ms', { client, lockTtl: '99ms' }, /`lockTtl` must be from '100ms' to '1h'; got "99ms"/],
  ['lockTtl over an hour', { client, lockTtl: '2h' }, /`lockTtl` must be from '100ms' to '1h'/],
  ['wait negative', { client, wait: -1 }, /`wait` must be a positive duration/],
  ['wait over an hour', { client, wait: '61m' }, /`wait` must be from '1ms' to '1h'/],
  ['prefix not a string', { client, prefix: 5 }, /`prefix` must be a string of at most 100 characters/],
  ['prefix with a brace', { client, prefix: 'lock:{x}' }, /`prefix` must be a string .* without '\{', '\}', spaces/],
  ['prefix with a space', { client, prefix: 'my lock:' }, /`prefix` must be a string/],
  ['prefix too long', { client, prefix: 'x'.repeat(101) }, /`prefix` must be a string of at most 100 characters/],
];

describe('redlockProtector options', () => {
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, () => {
      const create = () => redlockProtector(options as RedlockProtectorOptions);
      expect(create).toThrow(CacheOptionsError);
      expect(create).toThrow(message);
      expect(create).toThrow(/^redlockProtector: /);
    });
  }

  it('accepts the defaults and every option within bounds', async () => {
    const made = [
      redlockProtector({ client }),
      redlockProtector({ clients: [client, other] }),
      redlockProtector({ client, lockTtl: '100ms', wait: 1, prefix: '' }),
      redlockProtector({ client, lockTtl: '1h', wait: '1h', prefix: 'app:locks:' }),
    ];
    for (const protector of made) {
      expect(protector.name).toBe('redlock');
      await protector.close();
    }
  });
});
