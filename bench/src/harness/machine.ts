import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One line on where and when numbers were taken, for the head of a results file. */
export function describeMachine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  return `Node ${process.version}, ${model} × ${cores.length} cores, ${process.platform}/${process.arch}, ${new Date().toISOString()}`;
}

/**
 * The 1-minute load average, sampled before each measurement. The bench's own child is one
 * runnable process; a load well above the core count means other work took CPU time from it.
 */
export class LoadSamples {
  readonly #values: number[] = [];

  sample(): void {
    this.#values.push(loadavg()[0] ?? 0);
  }

  /** `load average median M, max X (N cores)`, for the head of a results file. */
  describe(): string {
    if (this.#values.length === 0) return 'load average not sampled';
    const sorted = [...this.#values].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    return `1-minute load average median ${median.toFixed(1)}, max ${sorted[sorted.length - 1]!.toFixed(1)} over the run (${cpus().length} cores)`;
  }

  /** A warning when the median load exceeded the cores: the machine was shared with other work. */
  warning(): string | undefined {
    if (this.#values.length === 0) return undefined;
    const sorted = [...this.#values].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    const cores = cpus().length;
    if (median <= cores) return undefined;
    return (
      `the machine was busy with other work (1-minute load average median ${median.toFixed(1)} on ${cores} cores): ` +
      'measured processes got a varying share of the CPU, so figures and even same-round ratios are rougher than the ranges show.'
    );
  }
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
