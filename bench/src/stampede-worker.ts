/**
 * One process of the stampede scenario, started by its coordinator (scenarios/stampede/measure.ts):
 *   node dist/stampede-worker.js <peer> --redisPort=P --callers=N
 * Sets the peer up, says `ready`, then on each `go` starts N concurrent calls of the cold key
 * and reports when the last one had its value. Prints nothing on stdout.
 */
import { findScenario } from './scenarios/index.js';
import { isPeerUnavailable, type Peer, type Subject } from './scenarios/peer.js';
import { type FromWorker, type ToWorker, wallClockMs } from './scenarios/stampede/protocol.js';

function send(message: FromWorker): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(message, undefined, undefined, () => resolve());
  });
}

function option(argv: readonly string[], name: string): number {
  const arg = argv.find((a) => a.startsWith(`--${name}=`));
  const value = Number(arg?.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`stampede-worker needs --${name}=<whole number>`);
  return value;
}

async function stampede(subject: Subject, id: number, callers: number): Promise<FromWorker> {
  const receivedAt = wallClockMs();
  let lastAt = receivedAt;
  let wrong = 0;
  let errors = 0;
  let firstError: string | undefined;
  const calls: Promise<void>[] = [];
  for (let i = 0; i < callers; i++) {
    calls.push(
      subject.call(id).then(
        (value) => {
          lastAt = wallClockMs();
          if ((value as { id?: unknown } | undefined)?.id !== id) wrong++;
        },
        (error: unknown) => {
          lastAt = wallClockMs();
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        },
      ),
    );
  }
  await Promise.all(calls);
  return { type: 'done', id, receivedAt, lastAt, wrong, errors, ...(firstError ? { firstError } : {}) };
}

async function main(argv: readonly string[]): Promise<void> {
  const [peerId] = argv;
  const callers = option(argv, 'callers');
  const redisPort = option(argv, 'redisPort');
  const load = peerId === undefined ? undefined : findScenario('stampede').peers[peerId];
  if (load === undefined) throw new RangeError(`unknown stampede peer '${peerId}'`);
  let subject: Subject;
  try {
    const { peer } = (await load()) as { peer: Peer };
    subject = await peer.setup({ capacity: 1_000, redisPort });
  } catch (error) {
    const unavailable = isPeerUnavailable(error);
    // The coordinator rethrows an unavailable peer's reason as its own PeerUnavailableError, named once.
    const reason =
      error instanceof Error ? (unavailable ? error.message : `${error.name}: ${error.message}`) : String(error);
    await send({ type: 'failed', reason, unavailable });
    process.exit(1); // a half set-up peer may hold connections open
  }
  process.on('message', (message: ToWorker) => {
    if (message.type === 'go') {
      void stampede(subject, message.id, callers).then(send);
    } else {
      void Promise.resolve(subject.close?.()).finally(() => process.exit(0));
    }
  });
  await send({ type: 'ready' });
}

await main(process.argv.slice(2));
