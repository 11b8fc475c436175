// The demo's knobs, from environment variables.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CacheMode, type Env, integer } from '../config.js';

export interface DemoSettings {
  /** Requests per mode. */
  readonly requests: number;
  /** The most seconds of load per mode. */
  readonly maxDurationS: number;
  readonly connections: number;
  /** The delay each database query waits first. */
  readonly dbDelayMs: number;
  readonly users: number;
  readonly writeShare: number;
  readonly reportPath: string;
}

export class DemoSettingsError extends Error {
  override readonly name = 'DemoSettingsError';
}

/** The report's default place: examples/rest-api/demo-report.html. */
export const DEFAULT_REPORT = fileURLToPath(new URL('../../demo-report.html', import.meta.url));

export function readDemoSettings(env: Env): DemoSettings {
  try {
    return {
      requests: integer(env, 'DEMO_REQUESTS', 4_000, 10, 10_000_000, 'a number of requests per mode'),
      maxDurationS: integer(env, 'DEMO_MAX_DURATION', 30, 1, 3_600, 'the most seconds of load per mode'),
      connections: integer(env, 'DEMO_CONNECTIONS', 32, 1, 1_000, 'a number of HTTP connections'),
      // The low end of the 50-150 ms a database across a network takes: the baseline
      // without a cache is as fast as that range allows.
      dbDelayMs: integer(env, 'DB_DELAY_MS', 50, 0, 60_000, 'a delay in milliseconds'),
      users: integer(env, 'SEED_USERS', 10_000, 100, 1_000_000, 'a number of users'),
      writeShare: 0.05,
      reportPath: env.DEMO_REPORT ? resolve(env.DEMO_REPORT) : DEFAULT_REPORT,
    };
  } catch (error) {
    throw new DemoSettingsError((error as Error).message);
  }
}

/** The modes the demo runs: Redis and tiered only with a Redis server (REDIS_URL, or redis-server on PATH). */
export function demoModes(withRedis: boolean): CacheMode[] {
  return withRedis ? ['none', 'memory', 'redis', 'tiered'] : ['none', 'memory'];
}
