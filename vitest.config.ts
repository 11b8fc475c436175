import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles every TypeScript file under test (unplugin-swc turns Vite's own transform
// off). Most tests use legacy `experimentalDecorators` with emitted metadata; files under
// `test/standard/` use TC39 standard decorators.
const standardDecorators = /[\\/]test[\\/]standard[\\/].*\.ts$/;
const parser = { syntax: 'typescript', decorators: true } as const;
// .ci/run asks for a JSON report too, to print its own totals line.
const jsonReport = process.env.CACHEWISE_TEST_REPORT;

export default defineConfig({
  plugins: [
    swc.vite({
      exclude: [standardDecorators, /node_modules/],
      tsconfigFile: false,
      jsc: { target: 'es2022', parser, transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true } },
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
    include: ['packages/*/test/**/*.test.ts'],
    globalSetup: ['./test-setup/build.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    ...(jsonReport ? { reporters: ['default', 'json'], outputFile: { json: jsonReport } } : {}),
  },
});
