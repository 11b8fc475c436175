// `pnpm docs:build` builds the site (guides, snippets, the TypeDoc API reference), and a
// dead link fails a build: one inside the site (VitePress's check) and one to a file
// outside docs/ that does not exist (docs/.vitepress/links.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createMarkdownRenderer } from 'vitepress';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryLinks } from '../.vitepress/links.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const dist = join(repo, 'docs/.vitepress/dist');
const vitepress = join(repo, 'node_modules/.bin/vitepress');

describe('pnpm docs:build', () => {
  it('builds every guide, the migration guides and the API reference', { timeout: 240_000 }, async () => {
    rmSync(dist, { recursive: true, force: true });
    await run('pnpm', ['docs:build'], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
    for (const page of [
      'index.html',
      'getting-started.html',
      'decorators.html',
      'strategies.html',
      'stampede.html',
      'http.html',
      'migrate/type-cacheable.html',
      'migrate/cache-manager.html',
      'migrate/nestjs-cache-manager.html',
      'api/index.html',
      'api/@cachewise/core/index.html',
      'api/@cachewise/core/main.html',
      'api/@cachewise/core/store.html',
      'api/@cachewise/core/testing.html',
      'api/@cachewise/memory.html',
      'api/@cachewise/redis/index.html',
      'api/@cachewise/redis/testing.html',
      'api/@cachewise/http/index.html',
      'api/@cachewise/http/fastify.html',
      'api/@cachewise/http/express.html',
    ]) {
      expect(existsSync(join(dist, page)), page).toBe(true);
    }
    // Snippets are in the pages, and links out of docs/ point at the repository.
    const start = readFileSync(join(dist, 'getting-started.html'), 'utf8');
    expect(start).toContain('memoryStore');
    expect(start).not.toContain('&lt;&lt;&lt; @/snippets');
    expect(readFileSync(join(dist, 'stampede.html'), 'utf8')).toContain(
      'https://github.com/cachewise/cachewise/blob/main/README.md',
    );
    expect(readFileSync(join(dist, 'api/@cachewise/core/main.html'), 'utf8')).toContain('createCache');
    // Anchors as on GitHub, so links written for either work on both.
    expect(readFileSync(join(dist, 'invalidation.html'), 'utf8')).toContain('id="1-ttl-with-jitter"');
    expect(readFileSync(join(dist, 'decorators.html'), 'utf8')).toContain(
      'id="naming-a-cached-methods-entry-methodkey"',
    );
  });
});

describe('a dead link', () => {
  // Inside the repository, so that the fixture sites resolve vitepress and vue from its node_modules.
  mkdirSync(join(repo, 'docs/test/.sites'), { recursive: true });
  const root = mkdtempSync(join(repo, 'docs/test/.sites/links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  async function site(name: string, markdown: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'docs/.vitepress'), { recursive: true });
    writeFileSync(join(dir, 'docs/.vitepress/config.mts'), 'export default {};\n');
    writeFileSync(join(dir, 'docs/index.md'), markdown);
    return dir;
  }

  async function build(dir: string): Promise<{ ok: boolean; output: string }> {
    try {
      const { stdout, stderr } = await run(vitepress, ['build', 'docs'], { cwd: dir });
      return { ok: true, output: stdout + stderr };
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      return { ok: false, output: stdout + stderr };
    }
  }

  it('inside the site fails the build', { timeout: 120_000 }, async () => {
    const result = await build(await site('inside', '# Home\n\nSee [the guide](./missing.md).\n'));
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/dead link/i);
  });

  it('to a file outside docs/ that does not exist fails the render; one that exists points at the repository', async () => {
    const docsDir = join(repo, 'docs');
    const md = await createMarkdownRenderer(docsDir, {
      config: (renderer) =>
        repositoryLinks(renderer, { docsDir, repoDir: repo, sourceBase: 'https://example.com/blob/main/' }),
    });
    const env = { path: join(docsDir, 'page.md') };
    expect(md.render('See [the readme](../README.md#docs).', env)).toContain(
      'href="https://example.com/blob/main/README.md#docs"',
    );
    expect(md.render('See [the results](../bench/results/).', env)).toContain(
      'href="https://example.com/tree/main/bench/results"',
    );
    expect(md.render('See [the guide](getting-started.md).', env)).not.toContain('example.com');
    expect(() => md.render('See [nothing](../nope.md).', env)).toThrow('docs/page.md: dead link to ../nope.md');
    expect(() => md.render('See [outside](../../etc/passwd).', env)).toThrow(/dead link/);
  });
});
