// redisBus() options: each bad one is a CacheOptionsError at creation that names the
// option and says what would be valid; good ones are taken. No connection is made.
import { isCacheOptionsError } from '@cachewise/core';
import { type RedisBusOptions, redisBus } from '@cachewise/redis';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

const client = new Redis({ lazyConnect: true });
afterAll(() => client.disconnect());

function refusal(options: unknown): Error {
  try {
    redisBus(options as RedisBusOptions);
  } catch (error) {
    expect(isCacheOptionsError(error), String(error)).toBe(true);
    return error as Error;
  }
  throw new Error('redisBus accepted the options');
}

describe('redisBus options', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['no options', undefined, /^redisBus: options must be an object with a `client`.*; got undefined/],
    ['options not an object', 'redis://x', /^redisBus: options must be an object/],
    ['no client', {}, /^redisBus: `client` must be an ioredis Redis or Cluster instance; got undefined/],
    [
      'a URL as client',
      { client: 'redis://localhost' },
      /`client` must be an ioredis Redis or Cluster instance; got "redis:/,
    ],
    ['a client without duplicate()', { client: { publish() {} } }, /`client` must be an ioredis Redis or Cluster/],
    [
      'an unknown option',
      { client, url: 'redis://x' },
      /^redisBus: unknown option 'url'. Known options: client, timeout, heartbeat, maxMessageSize$/,
    ],
    ['timeout zero', { client, timeout: 0 }, /redisBus: `timeout` must be a positive duration/],
    ['timeout negative', { client, timeout: -5 }, /redisBus: `timeout` must be a positive duration/],
    [
      'timeout not a duration',
      { client, timeout: '1 s' },
      /redisBus: `timeout` must be a positive duration.*got "1 s"/,
    ],
    [
      'timeout over an hour',
      { client, timeout: '2h' },
      /redisBus: `timeout` must be at most '1h' \(3600000 ms\); got 7200000 ms/,
    ],
    [
      'heartbeat true',
      { client, heartbeat: true },
      /redisBus: `heartbeat` \(or false\) must be a positive duration.*got true/,
    ],
    [
      'heartbeat under 10 ms',
      { client, heartbeat: 5 },
      /redisBus: `heartbeat` must be from '10ms' to '1h', or false; got 5 ms/,
    ],
    [
      'heartbeat over an hour',
      { client, heartbeat: '61m' },
      /redisBus: `heartbeat` must be from '10ms' to '1h', or false/,
    ],
    [
      'maxMessageSize zero',
      { client, maxMessageSize: 0 },
      /redisBus: `maxMessageSize` must be an integer number of bytes from 1 to 536870912; got 0/,
    ],
    ['maxMessageSize fractional', { client, maxMessageSize: 1.5 }, /`maxMessageSize` must be an integer .*; got 1.5/],
    [
      'maxMessageSize a string',
      { client, maxMessageSize: '64kb' },
      /`maxMessageSize` must be an integer .*; got "64kb"/,
    ],
    [
      'maxMessageSize over 512 MiB',
      { client, maxMessageSize: 2 ** 29 + 1 },
      /`maxMessageSize` must be an integer number of bytes from 1 to 536870912/,
    ],
  ];
  for (const [what, options, message] of cases) {
    it(`refuses ${what}`, () => {
      expect(refusal(options).message).toMatch(message);
    });
  }

  it('takes a Redis or a Cluster client and every valid option, without connecting', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 1 }], { lazyConnect: true });
    for (const options of [
      { client },
      { client: cluster },
      { client, timeout: '250ms', heartbeat: false, maxMessageSize: 1 },
      { client, timeout: 3_600_000, heartbeat: '1h', maxMessageSize: 2 ** 29 },
      { client, heartbeat: 10 },
    ] satisfies RedisBusOptions[]) {
      const bus = redisBus(options);
      expect(bus.name).toBe('redis');
    }
    expect(client.status).toBe('wait');
    expect(cluster.status).toBe('wait');
    cluster.disconnect();
  });
});
