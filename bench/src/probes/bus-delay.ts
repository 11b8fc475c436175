/**
 * Propagation delay of redisBus(): from `publish` in one process to the `message` handler
 * in another, on loopback, over a private redis-server (never the shared one on 6379):
 *   pnpm --filter @cachewise/bench build && node bench/dist/probes/bus-delay.js [--messages=10000]
 * Two modes: "awaited" publishes one message after another, each awaited (one in flight);
 * "paced" publishes one every millisecond or so, as invalidations come in practice. Each
 * message carries the publisher's CLOCK_MONOTONIC time (process.hrtime, shared by the
 * processes of one machine); the subscriber subtracts it from its own on arrival.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { redisBus } from '@cachewise/redis';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../harness/redis-server.js';

const argument = (name: string): string | undefined =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

/** The subscriber: prints `ready`, then, after `count` messages, the sorted delays in µs as JSON. */
async function subscriber(port: number, channel: string, count: number): Promise<void> {
  const client = new Redis({ port, host: '127.0.0.1' });
  const bus = redisBus({ client });
  const delaysUs: number[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  await bus.subscribe(channel, {
    message(message) {
      const sent = BigInt(message.slice(0, message.indexOf(':')));
      delaysUs.push(Number(process.hrtime.bigint() - sent) / 1_000);
      if (delaysUs.length === count) done();
    },
    state(receiving) {
      process.stderr.write(`subscriber: state(${receiving}) — the run is not valid\n`);
    },
  });
  process.stdout.write('ready\n');
  await all;
  process.stdout.write(`${JSON.stringify(delaysUs)}\n`);
  await bus.close?.();
  client.disconnect();
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(port: number, mode: 'awaited' | 'paced', count: number): Promise<string> {
  const channel = `cw-bench-bus:${mode}`;
  const child = spawn(
    process.execPath,
    [
      fileURLToPath(import.meta.url),
      '--role=subscriber',
      `--port=${port}`,
      `--channel=${channel}`,
      `--messages=${count}`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the subscriber did not start');
  const client = new Redis({ port, host: '127.0.0.1' });
  const bus = redisBus({ client });
  const padding = 'x'.repeat(64); // about the size of a tag invalidation message
  for (let i = 0; i < count; i++) {
    await bus.publish(channel, `${process.hrtime.bigint()}:${i}:${padding}`);
    if (mode === 'paced') await delay(1);
  }
  const delaysUs = (JSON.parse((await lines.next()).value as string) as number[]).sort((a, b) => a - b);
  await bus.close?.();
  client.disconnect();
  const ms = (us: number) => (us / 1_000).toFixed(3);
  return (
    `${mode.padEnd(7)} ${count} messages: p50 ${ms(percentile(delaysUs, 50))} ms, ` +
    `p99 ${ms(percentile(delaysUs, 99))} ms, p99.9 ${ms(percentile(delaysUs, 99.9))} ms, max ${ms(delaysUs.at(-1)!)} ms`
  );
}

const count = Number(argument('messages') ?? 10_000);
if (argument('role') === 'subscriber') {
  await subscriber(Number(argument('port')), argument('channel')!, count);
} else {
  const redis = await startPrivateRedis();
  try {
    console.log(`redisBus propagation delay, publish → handler in another process (Node ${process.version}, loopback)`);
    for (const mode of ['awaited', 'paced'] as const) console.log(await run(redis.port, mode, count));
  } finally {
    await redis.stop();
  }
}
