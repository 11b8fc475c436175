// What is published, not just the source: every `exports` target of every package is in
// the tarball npm would pack, and a consumer outside the workspace can import each entry
// point with plain Node (the `import` condition, so the built files) and find its API.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packages = ['core', 'memory', 'redis'] as const;

type Exports = Record<string, Record<string, string>>;
const manifest = (name: string): { name: string; exports: Exports } =>
  JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { name: string; exports: Exports };

function packedFiles(name: string): string[] {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: join(root, 'packages', name),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(json) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path);
}

describe.each(packages)('@cachewise/%s as published', (name) => {
  it('packs every file its exports point at, no build bookkeeping, and nothing that reads files at load', () => {
    const files = packedFiles(name);
    for (const [entry, conditions] of Object.entries(manifest(name).exports)) {
      for (const condition of ['import', 'types', '@cachewise/source']) {
        expect(files, `${entry} → ${condition}`).toContain(conditions[condition]!.replace(/^\.\//, ''));
      }
    }
    expect(files.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
    // The Redis package's Lua scripts are strings in its code: no .lua file ships, and no
    // built file reads one when it loads (bundlers carry only the code).
    if (name === 'redis') expect(files.filter((file) => file.endsWith('.lua'))).toEqual([]);
    for (const file of files.filter((path) => path.startsWith('dist/') && path.endsWith('.js'))) {
      expect(readFileSync(join(root, 'packages', name, file), 'utf8'), file).not.toMatch(/readFileSync|readFile\(|node:fs/);
    }
  });
});

describe('a consumer outside the workspace', () => {
  const consumer = mkdtempSync(join(tmpdir(), 'cachewise-consumer-'));
  afterAll(() => rmSync(consumer, { recursive: true, force: true }));

  it('imports every entry point with plain Node', () => {
    mkdirSync(join(consumer, 'node_modules', '@cachewise'), { recursive: true });
    for (const name of packages) symlinkSync(join(root, 'packages', name), join(consumer, 'node_modules', '@cachewise', name));
    const script = `
      const core = await import('@cachewise/core');
      const testing = await import('@cachewise/core/testing');
      const memory = await import('@cachewise/memory');
      const redis = await import('@cachewise/redis');
      const redisTesting = await import('@cachewise/redis/testing');
      const cache = core.createCache({ store: memory.memoryStore() });
      const value = await cache.wrap('k', async () => 42);
      console.log(JSON.stringify({
        value,
        core: ['createCache', 'Cached', 'Invalidates', 'CacheConfig', 'cached', 'methodKey'].every((n) => typeof core[n] === 'function'),
        testing: typeof testing.runStoreConformance === 'function' && typeof testing.fakeClock === 'function',
        redis: typeof redis.redisStore === 'function',
        redisTesting: typeof redisTesting.mockRedisStore === 'function',
      }));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ value: 42, core: true, testing: true, redis: true, redisTesting: true });
  });
});
