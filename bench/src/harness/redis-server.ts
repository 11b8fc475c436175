import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of our own on a free local port; never the shared one on 6379. */
export interface PrivateRedis {
  readonly port: number;
  /** Sends one command and resolves with the first line of the reply. */
  command(...args: string[]): Promise<string>;
  /** Sends a signal to the server: SIGSTOP pauses it with its connections open, SIGKILL kills it. */
  signal(signal: NodeJS.Signals): void;
  /** Stops the server (resuming it first if it was paused). */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function command(port: number, args: readonly string[]): Promise<string> {
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error(`redis on ${port} did not answer ${args[0]}`)));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const end = reply.indexOf('\r\n');
      if (end >= 0) {
        socket.end();
        const line = reply.slice(0, end);
        if (line.startsWith('-')) reject(new Error(`redis ${args[0]}: ${line.slice(1)}`));
        else resolve(line);
      }
    });
    socket.write(request);
  });
}

async function waitForPing(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    try {
      if ((await command(port, ['PING'])) === '+PONG') return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts `redis-server --port P --save '' --appendonly no` on a free port and waits until it answers. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cachewise-bench-redis-'));
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    spawnError.catch(() => undefined); // an error after start-up must not crash the run
    const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
    try {
      await Promise.race([waitForPing(port, child, 5_000), spawnError]);
    } catch (error) {
      lastError = error;
      child.kill('SIGKILL');
      cleanup();
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') break; // not installed: no point retrying
      continue;
    }
    return {
      port,
      command: (...args) => command(port, args),
      signal: (signal) => {
        child.kill(signal);
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT'); // a paused server would not act on SIGTERM
          child.kill('SIGTERM');
          await exited;
        }
        cleanup();
      },
    };
  }
  throw new Error(
    `could not start redis-server: ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}
