// Bad environment variables are refused before anything starts, with a message that
// names the variable and what would be valid.
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../src/config.js';
import { DemoSettingsError, demoModes, readDemoSettings } from '../src/demo/settings.js';

describe('readConfig', () => {
  it('defaults: memory cache, port 3000, embedded database, no delay', () => {
    expect(readConfig({})).toEqual({
      cache: 'memory',
      redisUrl: undefined,
      databaseUrl: undefined,
      dbDelayMs: 0,
      port: 3000,
      host: '127.0.0.1',
      namespace: 'rest-api',
      seedUsers: 10_000,
    });
  });

  it.each([
    [{ CACHE: 'disk' }, 'CACHE must be one of none, memory, redis, tiered; got "disk"'],
    [{ CACHE: 'redis' }, 'REDIS_URL is required with CACHE=redis'],
    [{ CACHE: 'tiered' }, 'REDIS_URL is required with CACHE=tiered'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL must be a URL starting with redis:// or rediss://'],
    [
      { DATABASE_URL: 'mysql://u:secret@h/db' },
      'DATABASE_URL must be a URL starting with postgres:// or postgresql://',
    ],
    [{ PORT: '70000' }, 'PORT must be a TCP port, 0 for any free one (an integer from 0 to 65535); got "70000"'],
    [{ PORT: 'abc' }, 'PORT must be a TCP port'],
    [{ DB_DELAY_MS: '-5' }, 'DB_DELAY_MS must be a delay in milliseconds (an integer from 0 to 60000); got "-5"'],
    [{ DB_DELAY_MS: '1.5' }, 'DB_DELAY_MS must be a delay in milliseconds'],
    [{ CACHE_NAMESPACE: 'a b' }, "CACHE_NAMESPACE must be 1-60 letters, digits, '_', '-' or '.'"],
    [{ SEED_USERS: '5' }, 'SEED_USERS must be a number of users (an integer from 100 to 1000000)'],
  ])('%o: %s', (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });

  it('does not repeat a URL that may hold a password', () => {
    expect(() => readConfig({ DATABASE_URL: 'mysql://u:secret@h/db' })).toThrow(/^(?!.*secret)/s);
  });
});

describe('readDemoSettings', () => {
  it('defaults: 4,000 requests per mode, 50 ms per query', () => {
    expect(readDemoSettings({})).toMatchObject({ requests: 4_000, maxDurationS: 30, dbDelayMs: 50, connections: 32 });
  });

  it.each([
    [{ DEMO_REQUESTS: 'many' }, 'DEMO_REQUESTS must be a number of requests per mode'],
    [
      { DEMO_MAX_DURATION: '0' },
      'DEMO_MAX_DURATION must be the most seconds of load per mode (an integer from 1 to 3600)',
    ],
    [{ DEMO_CONNECTIONS: '0' }, 'DEMO_CONNECTIONS must be a number of HTTP connections'],
  ])('%o: %s', (env, message) => {
    expect(() => readDemoSettings(env)).toThrow(DemoSettingsError);
    expect(() => readDemoSettings(env)).toThrow(message);
  });
});

describe('demoModes', () => {
  it('runs redis and tiered only when a Redis server is there', () => {
    expect(demoModes(true)).toEqual(['none', 'memory', 'redis', 'tiered']);
    expect(demoModes(false)).toEqual(['none', 'memory']);
  });
});
