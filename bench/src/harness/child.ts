import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../run-one.js';
import type { Params } from '../scenarios/index.js';

const RUN_ONE = fileURLToPath(new URL('../run-one.js', import.meta.url));

/** Runs one measurement in a fresh `node --expose-gc` process and returns the line it printed. */
export function runChild(scenario: string, peer: string, params: Params, timeoutMs: number): Promise<RunResult> {
  const args = ['--expose-gc', RUN_ONE, scenario, peer, ...Object.entries(params).map(([k, v]) => `--${k}=${v}`)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const fail = (reason: string): RunResult => ({ scenario, peer, params, status: 'failed', reason });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve(fail(`could not start node: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout
        .trimEnd()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{'));
      if (line !== undefined) {
        try {
          resolve(JSON.parse(line) as RunResult);
          return;
        } catch {
          // fall through: report the raw output below
        }
      }
      const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs} ms` : `exited with ${signal ?? code}`;
      resolve(fail(`${why} without a result; stderr: ${stderr.trim().slice(-500) || '(empty)'}`));
    });
  });
}
