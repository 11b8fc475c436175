// Test helper for examples/*/test: builds an example with the repository's tsc and runs it
// as a real child process, as `pnpm start` would (the packages are built by the vitest
// global setup).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
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

/** An example started by {@link startExample}, still running. */
export interface RunningExample {
  readonly child: ChildProcess;
  /** What it printed on stdout so far, in lines (the last one may be incomplete). */
  readonly stdout: () => string[];
  readonly stderr: () => string;
  /** Settles when it exits, with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node dist/main.js` in `examples/<name>` (a server, say) and resolves once it has
 * printed a line that starts with `ready`; rejects if it exits first or takes 30 s. Stop it
 * with `child.kill()` and await `exited`.
 */
export async function startExample(
  name: string,
  ready: string,
  env: Record<string, string> = {},
): Promise<RunningExample> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: exampleDir(name),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const running: RunningExample = { child, stdout: () => out.split('\n'), stderr: () => err, exited };
  const isReady = () => out.split('\n').some((line, i, lines) => i < lines.length - 1 && line.startsWith(ready));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`examples/${name} printed no line starting with ${JSON.stringify(ready)} in 30 s:\n${out}${err}`),
      );
    }, 30_000);
    const check = () => {
      if (!isReady()) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve();
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`examples/${name} exited (${code ?? signal}) before it was ready:\n${out}${err}`));
    });
  });
  return running;
}

/** The line that starts with `label`, trimmed (or an error listing every line). */
export function lineStartingWith(lines: readonly string[], label: string): string {
  const found = lines.find((line) => line.trimStart().startsWith(label));
  if (found === undefined) throw new Error(`no line starts with ${JSON.stringify(label)} in:\n${lines.join('\n')}`);
  return found.trim();
}
