import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles every TypeScript file under test (unplugin-swc turns Vite's own transform
// off). Most tests use legacy `experimentalDecorators` with emitted metadata; files under
// `test/standard/` use TC39 standard decorators.
const standardDecorators = /[\\/]test[\\/]standard[\\/].*\.ts$/;
const parser = { syntax: 'typescript', decorators: true } as const;
// .ci/run asks for a JSON report too, to print its own totals line.
const jsonReport = process.env.CACHEWISE_TEST_REPORT;
// @cachewise/redis supports ioredis 5 and 6: every test runs on ioredis 5, and the Redis
// store's tests run a second time with `ioredis` resolved to ioredis 6 (the `ioredis6`
// dev dependency), child processes included (fixtures/peer.mjs reads the env variable).
// One run, one report. Left out on ioredis 6: helpers.test.ts, which tests the helpers, and
// bus-options.test.ts, whose checks do not touch a connection.
const redisOnIoredis6 = [
  'conformance',
  'hygiene',
  'owned-client',
  'redis-store',
  'round-trips',
  'sentinel',
  'visibility',
  'ioredis-major',
  'redlock-protector',
  'redlock-protector-processes',
  'redlock-protector-faults',
  'stampede-e2e',
  'bus',
  'bus-faults',
  'bus-processes',
  'bus-sentinel',
  'faults',
].map((name) => `packages/redis/test/${name}.test.ts`);

export default defineConfig({
  plugins: [
    swc.vite({
      exclude: [standardDecorators, /node_modules/],
      tsconfigFile: false,
      jsc: {
        target: 'es2022',
        parser,
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
      },
    }),
    swc.vite({
      include: [standardDecorators],
      tsconfigFile: false,
      jsc: { target: 'es2022', parser, transform: { decoratorVersion: '2022-03', useDefineForClassFields: true } },
    }),
  ],
  ssr: { resolve: { conditions: ['@cachewise/source'] } },
  resolve: { conditions: ['@cachewise/source'] },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'ioredis5', include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'ioredis6', include: redisOnIoredis6, env: { CACHEWISE_TEST_IOREDIS: 'ioredis6' } },
        resolve: { alias: [{ find: /^ioredis$/, replacement: 'ioredis6' }] },
      },
    ],
    globalSetup: ['./test-setup/build.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    ...(jsonReport ? { reporters: ['default', 'json'], outputFile: { json: jsonReport } } : {}),
  },
});
