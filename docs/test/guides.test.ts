// The guides print code only from docs/snippets, which `pnpm typecheck` compiles
// (tsc -p docs/snippets) and the other tests in this folder run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { githubSlug } from '../.vitepress/links.js';

const docs = fileURLToPath(new URL('..', import.meta.url));
const repo = join(docs, '..');

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'api' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path, suffix) : entry.name.endsWith(suffix) ? [path] : [];
  });
}

/** Code fences in TypeScript or JavaScript (```ts, ```js, ```typescript, ```tsx …). */
function inlineCodeFences(markdown: string): string[] {
  return [...markdown.matchAll(/^\s*(?:```|~~~)\s*(ts|tsx|mts|cts|js|jsx|mjs|cjs|typescript|javascript)\b.*$/gim)].map(
    (match) => match[0].trim(),
  );
}

/** `<<< @/snippets/file.ts#region` lines. */
function includes(markdown: string): { file: string; region: string | undefined }[] {
  return [...markdown.matchAll(/^<<< @\/(\S+?)(?:#(\S+))?(?:\s.*)?$/gm)].map((match) => ({
    file: match[1]!,
    region: match[2],
  }));
}

function region(source: string, name: string): string | undefined {
  const match = new RegExp(`^[ \\t]*// #region ${name}\\n([\\s\\S]*?)^[ \\t]*// #endregion ${name}$`, 'm').exec(source);
  if (match === null) return undefined;
  const lines = match[1]!.replace(/\n$/, '').split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

const guides = files(docs, '.md').filter((path) => !path.includes(`${join('docs', 'test')}`));

describe('the guides', () => {
  it('are found', () => {
    expect(guides.map((path) => relative(docs, path))).toEqual(
      expect.arrayContaining(['getting-started.md', 'strategies.md', 'migrate/type-cacheable.md']),
    );
  });

  it('hold no inline TypeScript or JavaScript code fence', () => {
    const found = guides.flatMap((path) =>
      inlineCodeFences(readFileSync(path, 'utf8')).map((fence) => `${relative(docs, path)}: ${fence}`),
    );
    expect(found).toEqual([]);
  });

  it('the fence check catches every spelling of a code fence', () => {
    expect(inlineCodeFences('text\n```ts\nconst a = 1;\n```\n')).toHaveLength(1);
    expect(inlineCodeFences('```typescript title="x"\n```\n~~~js\n~~~\n```TSX\n```\n')).toHaveLength(3);
    expect(inlineCodeFences('```bash\nnpm i\n```\n```json\n{}\n```\n```text\nts\n```\n')).toEqual([]);
  });

  it('include snippet regions that exist', () => {
    const broken: string[] = [];
    let count = 0;
    for (const path of guides) {
      for (const { file, region: name } of includes(readFileSync(path, 'utf8'))) {
        count++;
        const target = join(docs, file);
        if (!existsSync(target)) broken.push(`${relative(docs, path)}: ${file} does not exist`);
        else if (name !== undefined && region(readFileSync(target, 'utf8'), name) === undefined)
          broken.push(`${relative(docs, path)}: ${file} has no region ${name}`);
      }
    }
    expect(broken).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(60);
  });

  it('link to headings that exist (GitHub-style anchors, which the site uses too)', () => {
    const headings = new Map<string, Set<string>>();
    const text = new Map<string, string>();
    for (const path of guides) {
      const markdown = readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      text.set(path, markdown);
      const slugs = [...markdown.matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) =>
        githubSlug(match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '')),
      );
      headings.set(path, new Set(slugs));
    }
    const broken: string[] = [];
    let checked = 0;
    for (const [path, markdown] of text) {
      for (const match of markdown.matchAll(/\]\(([^)\s#]*\.md)?#([^)\s]+)\)/g)) {
        const target = match[1] === undefined ? path : join(path, '..', match[1]);
        const slugs = headings.get(target);
        if (slugs === undefined) continue; // outside the guides (README): checked by GitHub
        checked++;
        if (!slugs.has(match[2]!)) broken.push(`${relative(docs, path)}: ${match[1] ?? ''}#${match[2]}`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });

  it('make anchors as GitHub does', () => {
    expect(githubSlug('1. TTL with jitter')).toBe('1-ttl-with-jitter');
    expect(githubSlug("Naming a cached method's entry: methodKey")).toBe('naming-a-cached-methods-entry-methodkey');
    expect(githubSlug('fakeClock and deferred for your own tests')).toBe('fakeclock-and-deferred-for-your-own-tests');
  });

  it('print every snippet file', () => {
    const included = new Set(guides.flatMap((path) => includes(readFileSync(path, 'utf8')).map(({ file }) => file)));
    const support = ['snippets/support.ts', 'snippets/redis-client.ts', 'snippets/readme/quick-start.ts'];
    const helpers = ['snippets/strategies/catalog.ts', 'snippets/strategies/compare.ts'];
    const orphans = files(join(docs, 'snippets'), '.ts')
      .map((path) => relative(docs, path).split('\\').join('/'))
      .filter((file) => !included.has(file) && !support.includes(file) && !helpers.includes(file));
    expect(orphans).toEqual([]);
  });
});

describe('the README', () => {
  it('prints the quick start that docs/snippets/readme/quick-start.ts compiles', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const block = /## Quick start\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const snippet = region(readFileSync(join(docs, 'snippets/readme/quick-start.ts'), 'utf8'), 'quick-start');
    expect(snippet).toBeDefined();
    expect(block?.trimEnd()).toBe(snippet);
  });

  it('links to guides that exist', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\((docs\/[^)#]+)/g)].map((match) => match[1]!);
    expect(links.length).toBeGreaterThan(10);
    expect(links.filter((link) => !existsSync(join(repo, link)))).toEqual([]);
  });
});
