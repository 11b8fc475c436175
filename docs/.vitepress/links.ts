import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { MarkdownRenderer } from 'vitepress';

export interface RepositoryLinkOptions {
  /** The site's source folder (docs/). */
  readonly docsDir: string;
  /** The repository root: links may leave docsDir but not this. */
  readonly repoDir: string;
  /** Where files outside docsDir are published, e.g. https://github.com/o/r/blob/main/ */
  readonly sourceBase: string;
}

/**
 * Links from a page to a file outside the site (`../README.md`, `../bench/results/`) are
 * rewritten to the repository's copy. The file must exist: a missing one fails the
 * build, as VitePress's own dead-link check does for links inside the site.
 */
export function repositoryLinks(md: MarkdownRenderer, options: RepositoryLinkOptions): void {
  const { docsDir, repoDir, sourceBase } = options;
  const defaultOpen = md.renderer.rules.link_open;
  md.renderer.rules.link_open = (tokens, idx, markdownOptions, env, self) => {
    const token = tokens[idx];
    const href = token?.attrGet('href');
    if (token && href?.startsWith('../') && typeof env?.path === 'string') {
      const [path = '', hash] = href.split('#');
      const target = resolve(dirname(env.path), path);
      if (relative(docsDir, target).startsWith('..')) {
        const inRepo = relative(repoDir, target);
        if (inRepo.startsWith('..') || !existsSync(target)) {
          throw new Error(`${relative(repoDir, env.path)}: dead link to ${href} (no such file in the repository)`);
        }
        const base = path.endsWith('/') ? sourceBase.replace('/blob/', '/tree/') : sourceBase;
        token.attrSet('href', `${base}${inRepo.split('\\').join('/')}${hash ? `#${hash}` : ''}`);
      }
    }
    return defaultOpen
      ? defaultOpen(tokens, idx, markdownOptions, env, self)
      : self.renderToken(tokens, idx, markdownOptions);
  };
}

/**
 * Heading anchors as GitHub makes them (`## 1. TTL with jitter` → `1-ttl-with-jitter`,
 * `method's` → `methods`), so that a link such as `invalidation.md#1-ttl-with-jitter` works
 * both on the site and when the Markdown is read on GitHub. VitePress's own slugs differ
 * (`_1-ttl-with-jitter`, `method-s`).
 */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}
