// Test helpers for what is published: the tarballs `pnpm pack` makes (workspace: ranges
// rewritten, `files` applied), read without unpacking, and child processes that run outside
// the workspace with an environment of their own.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Every published package, by directory name under packages/. */
export const PACKAGES = ['core', 'memory', 'redis', 'http', 'nestjs', 'otel'] as const;
export type PackageDir = (typeof PACKAGES)[number];

export interface Manifest {
  name: string;
  version: string;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  homepage?: string;
  bugs?: { url?: string };
  engines?: { node?: string };
  exports: Record<string, Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The package.json of packages/<dir> as it is in the repository. */
export function sourceManifest(dir: PackageDir): Manifest {
  return JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

/**
 * Packs every package with `pnpm pack` into `destination` (in parallel), from the dist/
 * that vitest's globalSetup built. Returns the tarball path of each package.
 */
export async function packAll(destination: string): Promise<Record<PackageDir, string>> {
  await mkdir(destination, { recursive: true });
  await Promise.all(
    PACKAGES.map((dir) =>
      run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(ROOT, 'packages', dir), env: cleanEnv() }),
    ),
  );
  const tarballs = await readdir(destination);
  const found = {} as Record<PackageDir, string>;
  for (const dir of PACKAGES) {
    const file = tarballs.find((name) => name.startsWith(`cachewise-${dir}-`) && name.endsWith('.tgz'));
    if (file === undefined) throw new Error(`pnpm pack made no tarball for @cachewise/${dir} in ${destination}`);
    found[dir] = join(destination, file);
  }
  return found;
}

/** Paths inside a tarball, relative to its package/ folder. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

/** The package.json inside a tarball: what npm users get. */
export async function tarballManifest(tarball: string): Promise<Manifest> {
  const { stdout } = await run('tar', ['-xOzf', tarball, 'package/package.json']);
  return JSON.parse(stdout) as Manifest;
}

/**
 * process.env without what a package manager or the test runner put there (npm_* settings
 * from `pnpm test`, NODE_OPTIONS), so a child behaves as it would in a user's shell.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'NODE_OPTIONS' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export interface Ran {
  stdout: string;
  stderr: string;
}

/** Longest any one command may run: a test that times out must not leave it writing into a removed folder. */
const COMMAND_TIMEOUT_MS = 180_000;

/** Runs a command to completion; on failure the error names it and carries its output. */
export async function runIn(cwd: string, command: string, args: readonly string[], env = cleanEnv()): Promise<Ran> {
  try {
    const options = {
      cwd,
      env,
      maxBuffer: 16 * 1024 * 1024,
      timeout: COMMAND_TIMEOUT_MS,
      killSignal: 'SIGKILL' as const,
    };
    const { stdout, stderr } = await run(command, args, options);
    return { stdout, stderr };
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    throw new Error(
      `\`${command} ${args.join(' ')}\` failed in ${cwd}:\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`,
    );
  }
}
