/**
 * The subscriber process of the tiered-bus scenario: a tiered cache (memory L1, Redis L2,
 * Redis bus) whose keys `k<i>` carry the tag `t<i>`, all warm in L1. It notes when each
 * bus message's L1 drop is done and sends the times to the coordinator, then checks that
 * every invalidated key is reloaded.
 *   node dist/tiered-bus-worker.js --redisPort=P --invalidations=N (started by the scenario, with IPC)
 */
import { Redis } from 'ioredis';
import type { FromSubscriber, ToSubscriber } from './scenarios/tiered-bus/protocol.js';
import { monotonicUs } from './scenarios/tiered-bus/protocol.js';
import { createTieredCache } from './scenarios/tiered-hit/cachewise-tiered.js';
import { commandsProcessed } from './scenarios/tiered-hit/measure.js';

const argument = (name: string): number => {
  const value = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (value === undefined || !/^\d+$/.test(value)) throw new RangeError(`--${name}=<whole number> is required`);
  return Number(value);
};

const send = (message: FromSubscriber): Promise<void> =>
  new Promise((resolve, reject) =>
    process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );

async function main(): Promise<void> {
  const redisPort = argument('redisPort');
  const count = argument('invalidations');
  const droppedAtUs: number[] = [];
  const texts: string[] = [];
  let downs = 0;
  let allArrived: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    allArrived = resolve;
  });
  const { cache, close } = await createTieredCache(
    { capacity: count * 2, redisPort },
    {
      namespace: 'bus',
      observe(text) {
        droppedAtUs.push(monotonicUs());
        texts.push(text);
        if (texts.length === count) allArrived();
      },
      observeState(receiving) {
        if (!receiving) downs++;
      },
    },
  );
  let loads = 0;
  const pass = async (): Promise<void> => {
    for (let i = 0; i < count; i++) {
      await cache.wrap(
        `k${i}`,
        () => {
          loads++;
          return { id: i };
        },
        { tags: [`t${i}`] },
      );
    }
  };
  const admin = new Redis({ host: '127.0.0.1', port: redisPort });
  await pass(); // loads, written to L2
  await pass(); // L2 hits, copied into L1
  const warmLoads = loads;
  const before = await commandsProcessed(admin);
  await pass(); // must be L1 hits only
  const warmRedisCommands = (await commandsProcessed(admin)) - before - 1;
  if (loads !== warmLoads || warmLoads !== count || warmRedisCommands * 100 > count) {
    throw new Error(
      `warm pass not L1 hits only: ${loads - warmLoads} loads, ${warmRedisCommands} Redis commands over ${count} keys`,
    );
  }
  process.once('message', (message: ToSubscriber) => {
    if (message.type !== 'check') return;
    void (async () => {
      const before = loads;
      await pass();
      await send({ type: 'checked', reloads: loads - before });
      admin.disconnect();
      await close();
      process.exit(0);
    })();
  });
  await send({ type: 'ready', warmRedisCommands });
  await arrived;
  const tags = texts.map((text) => String((JSON.parse(text) as { tags?: unknown[] }).tags?.[0]));
  await send({ type: 'done', droppedAtUs, tags, downs });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
