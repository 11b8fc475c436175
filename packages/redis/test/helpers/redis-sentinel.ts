import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, LOCALHOST } from './free-port.js';
import { killProcess, makeTempDir, removeTempDir, requireBinary } from './processes.js';
import { rawCommand } from './resp.js';

export interface RedisSentinel {
  readonly host: string;
  readonly port: number;
  /** The name the master is monitored under. */
  readonly masterName: string;
  stop(): Promise<void>;
}

/**
 * Starts one redis-sentinel on a free port, monitoring the master at `masterPort`, and
 * waits until it answers. Enough to connect an ioredis client through
 * Sentinel; failover needs replicas and more sentinels, which this does not start.
 */
export async function startSentinel(masterPort: number, masterName = 'cachewise'): Promise<RedisSentinel> {
  const bin = requireBinary('redis-server');
  const dir = await makeTempDir('sentinel');
  const port = await freePort();
  const config = join(dir, 'sentinel.conf');
  // Sentinel rewrites its config file, so it must be a file of its own.
  await writeFile(
    config,
    [
      `port ${port}`,
      `bind ${LOCALHOST}`,
      `dir ${dir}`,
      `sentinel monitor ${masterName} ${LOCALHOST} ${masterPort} 1`,
      `sentinel down-after-milliseconds ${masterName} 5000`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, [config, '--sentinel'], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    await killProcess(child);
    await removeTempDir(dir);
  };
  const kill = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', kill);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      // The master comes from the config file, so a sentinel that answers knows it.
      if ((await rawCommand(port, ['PING'], { timeoutMs: 250 })) === 'PONG') break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-sentinel on port ${port} did not answer within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { host: LOCALHOST, port, masterName, stop };
}
