import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A real process with its own ioredis client and redisBus (see fixtures/bus-peer.mjs). */
export interface BusPeer {
  send<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export interface BusPeerConfig {
  /** Single node: the server's URL. Give exactly one of `url` and `clusterPort`. */
  readonly url?: string;
  /** Cluster: the port of one of its nodes. */
  readonly clusterPort?: number;
  readonly channel: string;
  /** Prefix of the messages it publishes: `<name>:<n>`. */
  readonly name: string;
}

export async function startBusPeer(config: BusPeerConfig): Promise<BusPeer> {
  const script = fileURLToPath(new URL('./fixtures/bus-peer.mjs', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const reply = JSON.parse(line) as { id: number };
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  let next = 0;
  const send = <T>(op: string, args: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      waiting.set(id, (reply) => (reply.ok ? resolve(reply as T) : reject(new Error(String(reply.error)))));
      child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  return {
    send,
    async stop() {
      child.stdin!.end();
      await new Promise((resolve) => {
        if (child.exitCode !== null) resolve(undefined);
        else child.once('exit', resolve);
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
    },
  };
}
