import { type ChildProcess, execFile } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Cluster, type ClusterOptions } from 'ioredis';
import { LOCALHOST } from './free-port.js';
import { killProcess, launchOnFreePort, makeTempDir, removeTempDir, requireBinary } from './processes.js';
import { TEST_CLIENT_DEFAULTS } from './redis-server.js';
import { rawCommand } from './resp.js';

const MASTERS = 3; // the fewest `redis-cli --cluster create` accepts
const BUS_PORT_OFFSET = 10_000; // Redis Cluster's gossip bus listens at port + 10000

export interface StartClusterOptions {
  /** Budget for the whole start: nodes, `--cluster create`, cluster_state:ok. Default 30 s. */
  startTimeoutMs?: number;
}

export interface RedisCluster {
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** A new ioredis Cluster client (fail-fast node options + `options`), disconnected by stop(). */
  client(options?: ClusterOptions): Cluster;
  /** Disconnect clients, kill every node, remove their directories. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a private three-master Redis Cluster (no replicas) on free local ports and waits
 * until every node reports cluster_state:ok. Needs redis-server and redis-cli; REDIS_URL
 * does not apply.
 *
 * @example
 * const cluster = await startCluster();
 * const client = cluster.client();
 * await client.set('{user:1}:name', 'Ada');
 * await cluster.stop();
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<RedisCluster> {
  const serverBin = requireBinary('redis-server');
  const cliBin = requireBinary('redis-cli');
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const started: Array<{ port: number; child: ChildProcess; dir: string }> = [];
  const clients = new Set<Cluster>();

  const stop = async (): Promise<void> => {
    for (const client of clients) client.disconnect();
    clients.clear();
    await Promise.all(
      started.map(async ({ child, dir }) => {
        await killProcess(child);
        await removeTempDir(dir);
      }),
    );
  };

  try {
    // One at a time: a running node holds its port and bus port, so the next free-port
    // probe cannot hand out either of them.
    for (let i = 0; i < MASTERS; i++) {
      const dir = await makeTempDir('cluster');
      try {
        const node = await launchOnFreePort(
          {
            bin: serverBin,
            dir,
            timeoutMs,
            args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'],
          },
          { alsoFreeAt: BUS_PORT_OFFSET },
        );
        started.push({ ...node, dir });
      } catch (error) {
        await removeTempDir(dir);
        throw error;
      }
    }
    const addresses = started.map(({ port }) => `${LOCALHOST}:${port}`);
    try {
      await promisify(execFile)(
        cliBin,
        ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
        { timeout: Math.max(1, deadline - Date.now()) },
      );
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`redis-cli --cluster create failed:\n${stdout}${stderr}`, { cause: error });
    }
    // create returns once the nodes agree on the configuration; each node still has to
    // see all slots covered before it serves keys.
    await Promise.all(started.map(({ port }) => waitForClusterOk(port, deadline)));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes: started.map(({ port }) => ({ host: LOCALHOST, port })),
    client(overrides = {}) {
      const client = new Cluster(
        started.map(({ port }) => ({ host: LOCALHOST, port })),
        { ...overrides, redisOptions: { ...TEST_CLIENT_DEFAULTS, ...overrides.redisOptions } },
      );
      client.on('error', () => {}); // commands still reject; see quiet() in redis-server.ts
      clients.add(client);
      return client;
    },
    stop,
  };
}

async function waitForClusterOk(port: number, deadline: number): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    last = await rawCommand(port, ['CLUSTER', 'INFO']).catch((error: Error) => error.message);
    if (last.includes('cluster_state:ok')) return;
    await delay(50);
  }
  throw new Error(`cluster node ${LOCALHOST}:${port} never reported cluster_state:ok; last reply:\n${last}`);
}
