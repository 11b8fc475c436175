// Builds examples/nest-style-di and runs it as a child process: a NestJS application
// context whose injected repository and service cache through an injected Cache.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExample, exampleDir, lineStartingWith, runExample } from '../../run-example.js';

let lines: string[];
beforeAll(async () => {
  await buildExample('nest-style-di');
  lines = await runExample('nest-style-di');
});

/** The value and query count printed on the line that starts with `label`. */
function step(label: string): { value: unknown; queries: number } {
  const line = lineStartingWith(lines, label);
  const match = /-> (.*) {2}queries=(\d+)$/.exec(line);
  if (!match) throw new Error(`unexpected line: ${line}`);
  return { value: JSON.parse(match[1]!), queries: Number(match[2]) };
}

describe('examples/nest-style-di', () => {
  it('Nest injects the Cache provider into the repository', () => {
    expect(lineStartingWith(lines, 'injected:')).toBe("injected: the repository's cache is the provider's: true");
  });

  it('@Cached methods of injected classes answer repeated calls without a query', () => {
    expect(step('badge(1) (miss)')).toEqual({ value: 'Ada #1', queries: 1 });
    expect(step('badge(1) (hit)')).toEqual({ value: 'Ada #1', queries: 1 });
    expect(step('team(10) (miss)')).toEqual({ value: ['Ada', 'Grace'], queries: 2 });
    expect(step('team(10) (hit)')).toEqual({ value: ['Ada', 'Grace'], queries: 2 });
  });

  it("@Invalidates on the repository drops its tags' entries, the service's included, and nothing else", () => {
    expect(step('badge(1) (miss after the write)')).toEqual({ value: 'Ada Lovelace #1', queries: 5 });
    expect(step('team(10) (miss after the write)')).toEqual({ value: ['Ada Lovelace', 'Grace'], queries: 6 });
    expect(step('badge(2) (hit')).toEqual({ value: 'Grace #2', queries: 6 });
  });

  it('counts per class and method', () => {
    expect(lineStartingWith(lines, 'stats:')).toBe('stats: hits=4 misses=8 loads=8');
    expect(lineStartingWith(lines, 'UserService.badge:')).toBe('UserService.badge: hits=2 loads=3');
    expect(lineStartingWith(lines, 'UserRepository.usersInOrg:')).toBe('UserRepository.usersInOrg: hits=1 loads=2');
  });

  it('app.close() closes the cache: later calls run their methods uncached', () => {
    expect(lineStartingWith(lines, 'cache closed')).toBe('cache closed (app.close())');
    expect(lineStartingWith(lines, 'after app.close():')).toBe(
      'after app.close(): badge(1) runs uncached -> "Ada Lovelace #1"  queries=7',
    );
  });

  it('with --until-signal it stays up, and SIGTERM closes the application and the cache', async () => {
    const child = spawn(process.execPath, ['dist/main.js', '--until-signal'], { cwd: exampleDir('nest-style-di') });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const exited = once(child, 'exit');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        if (stdout.includes('running until SIGTERM or SIGINT\n')) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before it was up:\n${stdout}${stderr}`)));
    });
    expect(stdout).not.toContain('cache closed');
    child.kill('SIGTERM');
    await exited;
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('cache closed (SIGTERM)');
    expect(child.signalCode).toBe('SIGTERM'); // Nest re-raises the signal once it has shut down
    expect(stderr).toBe('');
  });
});
