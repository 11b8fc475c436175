import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A real second process with its own Redis connection and cache (see fixtures/peer.mjs). */
export interface PeerProcess {
  send<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export interface PeerConfig {
  /**
   * Single node: the server's URL as the test's own clients use it, so that a database
   * number or credentials in REDIS_URL reach the peer too.
   */
  readonly url?: string;
  /** Cluster: the port of one of its nodes. Give exactly one of `url` and `clusterPort`. */
  readonly clusterPort?: number;
  readonly prefix: string;
  readonly namespace: string;
}

export function startPeer(config: PeerConfig): Promise<PeerProcess> {
  return startFixture('peer.mjs', config);
}

/**
 * Starts `fixtures/<name>` with `config` as its JSON argument: a process that answers one
 * JSON command per stdin line (`{ id, op, ...args }`) with one JSON line (`{ id, ok, ... }`),
 * and answers `stats` once it is ready.
 */
export async function startFixture(name: string, config: object): Promise<PeerProcess & { readonly pid: number }> {
  const script = fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [script, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.on('error', () => {}); // EPIPE to a process a test killed
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
  await send('stats'); // ready: modules loaded, connected
  return {
    send,
    pid: child.pid!,
    async stop() {
      child.stdin!.end();
      await new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve(undefined);
        else child.once('exit', resolve);
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      });
    },
  };
}
