// Test helper for examples/*/test: builds an example with the repository's tsc and runs it
// as a real child process, as `pnpm start` would (the packages are built by the vitest
// global setup).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;

/** The absolute path of `examples/<name>`. */
export function exampleDir(name: string): string {
  return `${root}examples/${name}`;
}

/**
 * Compiles `examples/<name>` into its `dist/` with `tsc --build`, as its `start` script does;
 * rejects with tsc's output on a type error. The packages it references are already built
 * (global setup), and `pnpm typecheck` builds the examples the same way, so this is often
 * only the up-to-date check.
 */
export async function buildExample(name: string): Promise<void> {
  try {
    await run(process.execPath, [tsc, '--build', `examples/${name}`], { cwd: root });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc --build examples/${name} failed:\n${stdout}${stderr}`);
  }
}

/** Runs `node dist/main.js` in `examples/<name>` and returns what it printed, in lines. */
export async function runExample(name: string, env: Record<string, string> = {}): Promise<string[]> {
  const cwd = exampleDir(name);
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/main.js'], {
      cwd,
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    if (stderr !== '') throw new Error(`examples/${name} wrote to stderr:\n${stderr}`);
    return stdout.split('\n');
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    if (stdout === '' && stderr === '') throw error;
    throw new Error(`examples/${name} failed:\n${stdout}${stderr}`);
  }
}

/** Runs `node dist/main.js` in `examples/<name>` expecting it to fail; resolves with its exit code and output. */
export async function runFailingExample(
  name: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['dist/main.js'], {
      cwd: exampleDir(name),
      env: { ...process.env, ...env },
      timeout: 30_000,
    });
    throw new Error(`examples/${name} succeeded where it should have failed:\n${stdout}${stderr}`);
  } catch (error) {
    const { code, stdout, stderr } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw error;
    return { code, stdout: stdout ?? '', stderr: stderr ?? '' };
  }
}

/** The line that starts with `label`, trimmed (or an error listing every line). */
export function lineStartingWith(lines: readonly string[], label: string): string {
  const found = lines.find((line) => line.trimStart().startsWith(label));
  if (found === undefined) throw new Error(`no line starts with ${JSON.stringify(label)} in:\n${lines.join('\n')}`);
  return found.trim();
}
