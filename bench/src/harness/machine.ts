import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line on where and when numbers were taken, for the head of a results file. */
export function describeMachine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `Node ${process.version}, ${model} × ${cores.length} cores, ${process.platform}/${process.arch}, ${new Date().toISOString()}`;
}

/**
 * Which cachewise code was measured: the commit, and whether packages/ had uncommitted
 * changes (the packages move quickly, and the numbers follow them).
 */
export function describeSource(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '../packages').length > 0;
    return `cachewise at ${commit}${dirty ? ' with uncommitted changes in packages/' : ''}`;
  } catch {
    return 'cachewise at an unknown commit (no git)';
  }
}

/**
 * The newest modification time under packages/<name>/dist: other work in the same tree can
 * rebuild the packages mid-run, and a run whose stamp moved measured two versions.
 */
export function packagesDistStamp(): number {
  const root = fileURLToPath(new URL('../../../packages/', import.meta.url));
  let newest = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const name of readdirSync(root)) {
    const dist = join(root, name, 'dist');
    if (existsSync(dist)) walk(dist);
  }
  return newest;
}
