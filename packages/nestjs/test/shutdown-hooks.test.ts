// enableShutdownHooks(): a signal closes the application, and the module closes its cache.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('SIGTERM closes the cache of an application with enableShutdownHooks()', async () => {
  const script = fileURLToPath(new URL('./fixtures/shutdown-hooks.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('ready')) resolve();
    });
    child.once('exit', () => reject(new Error(`exited before ready: ${stderr}`)));
  });
  child.kill('SIGTERM');
  await once(child, 'exit');
  expect(stderr).toBe('');
  expect(stdout.trim().split('\n')).toEqual(['ready', 'store closed']);
});
