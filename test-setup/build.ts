import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Multi-process tests run real child processes with plain `node`, which load the
 * packages' built output (dist/). Build it once, incrementally, before any test runs.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(
    process.execPath,
    [
      `${root}node_modules/typescript/bin/tsc`,
      '--build',
      'packages/core',
      'packages/memory',
      'packages/redis',
      'packages/http',
      'packages/nestjs',
      'packages/otel',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
