/**
 * Instructions per warm memory hit, counted by valgrind's callgrind: a count is the same
 * whatever else the machine runs, where the timed rows of `pnpm bench` move by 10–35%.
 *   pnpm --filter @cachewise/bench build && node bench/dist/probes/hit-instructions.js [--keys=1000,100000] [peer...]
 * Each row runs the peer of the memory-hit scenario twice under callgrind, in a fresh
 * `node --single-threaded` process (no compiler or GC threads, so counts repeat), with
 * 200,000 and 600,000 timed calls after the same warm-up; the difference over 400,000 is
 * one hit, start-up and warm-up cancelling out. Needs `valgrind` on the PATH.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { memoryHitPeers } from '../scenarios/index.js';
import type { Subject } from '../scenarios/peer.js';

const DEFAULT_PEERS = ['lru-cache', 'cachewise-cached', 'cachewise-cached-key', 'cachewise-cached-tags'];
const SHORT_RUN = 200_000;
const LONG_RUN = 600_000;
const WARM_CALLS = 300_000;

type PeerName = keyof typeof memoryHitPeers;

/** In the child: warm ids 1..keys, then `calls` hits in turn. */
async function child(peerName: PeerName, keys: number, calls: number): Promise<void> {
  const { peer } = await memoryHitPeers[peerName]();
  const subject = (await peer.setup({ capacity: 200_000 })) as Subject;
  for (let id = 1; id <= keys; id++) await subject.call(id);
  for (let i = 0; i < WARM_CALLS; i++) await subject.call((i % keys) + 1);
  const loads = subject.loads();
  for (let i = 0; i < calls; i++) await subject.call((i % keys) + 1);
  if (subject.loads() !== loads) throw new Error(`${peerName}: the loader ran during the counted calls`);
  await subject.close?.();
}

/** Instructions callgrind counted for one child run. */
function counted(peerName: string, keys: number, calls: number): number {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      '--single-threaded',
      self,
      '--child',
      peerName,
      String(keys),
      String(calls),
    ],
    { encoding: 'utf8' },
  );
  const match = /Collected : (\d+)/.exec(run.stderr ?? '');
  if (run.status !== 0 || match === null) {
    throw new Error(`callgrind run of ${peerName} failed (status ${run.status}): ${run.stderr?.slice(-500)}`);
  }
  return Number(match[1]);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[1] as PeerName, Number(args[2]), Number(args[3]));
    return;
  }
  const keysArg = args.find((arg) => arg.startsWith('--keys='));
  const sizes = (keysArg?.slice('--keys='.length) ?? '1000,100000').split(',').map(Number);
  const peers = args.filter((arg) => !arg.startsWith('--'));
  for (const peerName of peers.length > 0 ? peers : DEFAULT_PEERS) {
    if (!(peerName in memoryHitPeers)) {
      throw new RangeError(`unknown peer ${peerName}; one of ${Object.keys(memoryHitPeers).join(', ')}`);
    }
    for (const keys of sizes) {
      const perHit = (counted(peerName, keys, LONG_RUN) - counted(peerName, keys, SHORT_RUN)) / (LONG_RUN - SHORT_RUN);
      console.log(`${peerName} over ${keys} keys: ${Math.round(perHit)} instructions a hit`);
    }
  }
}

await main();
