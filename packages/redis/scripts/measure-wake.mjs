// How fast a waiter learns that a stampede lock was released, and what it costs Redis:
// the pub/sub notice (the protector's behaviour) against polling the lock key. Runs over
// the built package (pnpm --filter @cachewise/redis build) on a private redis-server:
//
//   node packages/redis/scripts/measure-wake.mjs [waiters=8] [rounds=30] [holdMs=50]
//
// Each round: one protector takes the lock, `waiters` other protectors (each its own
// connection, as separate processes would have) wait for it, the holder releases after
// `holdMs`. Wake latency = from just before release() to each waiter's wake. Commands per
// waiter = Redis's command count (INFO commandstats) for the rounds, less the same rounds
// run with no waiter, divided by waits.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { redlockProtector } from '../dist/index.js';

const [waiters = 8, rounds = 30, holdMs = 50] = process.argv.slice(2).map(Number);

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const dir = mkdtempSync(join(tmpdir(), 'cachewise-wake-'));
const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir], {
  stdio: 'ignore',
});
const admin = new Redis({ port, host: '127.0.0.1' });
admin.on('error', () => {}); // refused until the server listens; ioredis reconnects
await admin.ping();

async function commandCount() {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (match[1] !== 'info') total += Number(match[2]);
  return total;
}

const clients = [];
const PREFIX = 'wake:';
function newClient() {
  const client = new Redis({ port, host: '127.0.0.1' });
  clients.push(client);
  return client;
}

/**
 * A waiter: the protector itself (pub/sub), or a poller of the lock key on its own
 * connection, the alternative measured here and not kept in the package.
 */
function waiter(wakeBy) {
  if (wakeBy.kind === 'pubsub') return redlockProtector({ client: newClient(), wait: '10s', prefix: PREFIX });
  const client = newClient();
  return {
    async waitForRelease(key) {
      const deadline = Date.now() + 10_000;
      while ((await client.exists(PREFIX + key)) === 1) {
        if (Date.now() > deadline) return false;
        await sleep(wakeBy.intervalMs);
      }
      return true;
    },
    close: async () => {},
  };
}

/** Runs `rounds` rounds with `count` waiters; returns wake latencies (ms) and Redis commands. */
async function run(wakeBy, count, label) {
  const holder = redlockProtector({ client: newClient(), prefix: PREFIX });
  const others = Array.from({ length: count }, () => waiter(wakeBy));
  const once = async (key) => {
    const lock = await holder.tryLock(key);
    let released = 0;
    const woken = others.map((other) =>
      other.waitForRelease(key).then((ok) => {
        if (!ok) throw new Error('a waiter timed out');
        return performance.now() - released;
      }),
    );
    // A random phase against the poll period: a fixed hold would flatter one interval.
    await sleep(holdMs * (1 + Math.random()));
    released = performance.now();
    await lock.release();
    return Promise.all(woken);
  };
  await once(`${label}:warm-up`); // connections and subscriber connections up, scripts loaded
  const before = await commandCount();
  const latencies = [];
  for (let round = 0; round < rounds; round++) latencies.push(...(await once(`${label}:${round}`)));
  const commands = (await commandCount()) - before;
  await Promise.all([holder, ...others].map((made) => made.close()));
  return { latencies, commands };
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

const strategies = [
  ['pub/sub notice', { kind: 'pubsub' }],
  ['poll every 10 ms', { kind: 'poll', intervalMs: 10 }],
  ['poll every 25 ms', { kind: 'poll', intervalMs: 25 }],
  ['poll every 50 ms', { kind: 'poll', intervalMs: 50 }],
];
console.log(`${waiters} waiters x ${rounds} rounds, lock held ${holdMs} ms, redis-server on 127.0.0.1:${port}\n`);
console.log('| wake-up | median ms | p95 ms | max ms | Redis commands per wait |');
console.log('|---|---:|---:|---:|---:|');
try {
  for (const [name, wakeBy] of strategies) {
    const baseline = await run(wakeBy, 0, `${wakeBy.kind}${wakeBy.intervalMs ?? ''}:base`);
    const { latencies, commands } = await run(wakeBy, waiters, `${wakeBy.kind}${wakeBy.intervalMs ?? ''}`);
    const perWait = (commands - baseline.commands) / (waiters * rounds);
    const fixed = (value) => value.toFixed(2);
    console.log(
      `| ${name} | ${fixed(quantile(latencies, 0.5))} | ${fixed(quantile(latencies, 0.95))} | ${fixed(Math.max(...latencies))} | ${perWait.toFixed(1)} |`,
    );
  }
} finally {
  for (const client of clients) client.disconnect();
  admin.disconnect();
  server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
