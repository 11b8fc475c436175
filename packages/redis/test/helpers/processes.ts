import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type FreePortOptions, freePort } from './free-port.js';
import { rawCommand } from './resp.js';

export const INSTALL_COMMAND = 'apt-get install -y redis-server';

/** Absolute path of an executable on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Path of `name`, or an Error that says how to get it. */
export function requireBinary(name: string, alternative = ''): string {
  const found = findOnPath(name);
  if (found) return found;
  throw new Error(
    `${name} is not on PATH${alternative ? ` and ${alternative}` : ''}: ` +
      `install it with \`${INSTALL_COMMAND}\`${alternative ? ' or set REDIS_URL' : ''}`,
  );
}

// Module-level on purpose: the exit hook must find every server any helper started, so a
// failed test or a forgotten stop() never leaves a redis-server behind.
const running = new Set<ChildProcess>();
const exits = new WeakMap<ChildProcess, Promise<void>>();
const tempDirs = new Set<string>();
let hooked = false;

function killEverythingNow(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

function hookProcessExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killEverythingNow);
  // 'exit' does not run when a signal ends the process, so catch the usual ones too, then
  // re-raise if nobody else handles them so the default (dying) still happens. SIGKILL of
  // this process cannot be caught: servers would outlive it (Ctrl-C reaches them anyway,
  // being in the same process group).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      killEverythingNow();
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

export async function makeTempDir(label: string): Promise<string> {
  hookProcessExit();
  const dir = await mkdtemp(join(tmpdir(), `cachewise-${label}-`));
  tempDirs.add(dir);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  tempDirs.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGKILL (works on a SIGSTOPped process too) and wait until it is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (isRunning(child)) child.kill('SIGKILL');
  await exits.get(child);
}

/**
 * SIGSTOP/SIGCONT, then wait until the kernel reports the new state, so that what a test
 * does next really happens against a frozen (or running) server. Off Linux there is no
 * /proc to read and the signal alone has to do.
 */
export async function setFrozen(child: ChildProcess, frozen: boolean): Promise<void> {
  child.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  for (let i = 0; i < 200; i++) {
    let state: string | undefined;
    try {
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    } catch {
      return;
    }
    if ((state === 'T') === frozen) return;
    await delay(5);
  }
  throw new Error(`redis-server ${child.pid} did not ${frozen ? 'stop' : 'continue'}`);
}

class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

export interface LaunchOptions {
  bin: string;
  port: number;
  dir: string;
  args: readonly string[];
  timeoutMs: number;
}

/**
 * Starts redis-server on a given port and waits until it answers. Rejects with
 * PortInUseError if the port (or its cluster bus port) was taken.
 */
export async function launchRedis({ bin, port, dir, args, timeoutMs }: LaunchOptions): Promise<ChildProcess> {
  const logFile = join(dir, 'redis.log');
  await writeFile(logFile, ''); // so a failure's log tail is about this attempt only
  const child = spawn(
    bin,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--daemonize',
      'no',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--logfile',
      logFile,
      ...args,
    ],
    // stderr carries config errors, printed before the log file is open.
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  exits.set(child, new Promise((resolve) => child.once('exit', () => resolve())));
  child.once('exit', () => running.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  const output = async (): Promise<string> => {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    return `${stderr}${log}`.slice(-2000);
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning(child)) {
      await exits.get(child); // stderr is complete once 'exit' fired
      const text = await output();
      if (/address already in use/i.test(text)) throw new PortInUseError(`port ${port} is in use`);
      throw new Error(`redis-server on port ${port} exited before answering:\n${text}`);
    }
    try {
      // INFO instead of PING: the reply must come from *our* process, not from whoever
      // else may own the port while our server is failing to bind it.
      const info = await rawCommand(port, ['INFO', 'server'], { timeoutMs: 250 });
      if (info.includes(`process_id:${child.pid}\r\n`)) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await killProcess(child);
      throw new Error(`redis-server on port ${port} did not answer within ${timeoutMs} ms:\n${await output()}`);
    }
    await delay(20);
  }
}

/** `launchRedis` on a fresh free port, retrying when another process wins the race for it. */
export async function launchOnFreePort(
  options: Omit<LaunchOptions, 'port'>,
  portOptions: FreePortOptions = {},
): Promise<{ port: number; child: ChildProcess }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(portOptions);
    try {
      return { port, child: await launchRedis({ ...options, port }) };
    } catch (error) {
      if (!(error instanceof PortInUseError) || attempt >= 5) throw error;
    }
  }
}
