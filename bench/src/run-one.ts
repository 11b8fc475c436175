/**
 * Runs one (scenario, peer) in this process and prints one JSON line: the orchestrator
 * starts a fresh `node --expose-gc dist/run-one.js <scenario> <peer> [--name=value...]`
 * for every measurement, so no peer shares a heap, a JIT profile or a connection with another.
 */
import { findScenario, type Params } from './scenarios/index.js';
import { isPeerUnavailable, type Peer } from './scenarios/peer.js';

export type RunStatus = 'ok' | 'skipped' | 'failed';

/** The line a child prints. */
export interface RunResult {
  scenario: string;
  peer: string;
  params: Params;
  status: RunStatus;
  label?: string;
  setupNote?: string;
  result?: Record<string, unknown>;
  reason?: string;
}

function parseArgs(argv: readonly string[]): { scenario: string; peer: string; overrides: Params } {
  const [scenario, peer, ...rest] = argv;
  if (scenario === undefined || peer === undefined) {
    throw new RangeError('usage: run-one <scenario> <peer> [--name=value...]');
  }
  const overrides: Params = {};
  for (const arg of rest) {
    const match = /^--([a-zA-Z]+)=(\d+)$/.exec(arg);
    if (match === null) throw new RangeError(`expected --name=<whole number>, got '${arg}'`);
    overrides[match[1]!] = Number(match[2]);
  }
  return { scenario, peer, overrides };
}

async function runOne(argv: readonly string[]): Promise<RunResult> {
  const { scenario: scenarioId, peer: peerId, overrides } = parseArgs(argv);
  const scenario = findScenario(scenarioId);
  const load = scenario.peers[peerId];
  if (load === undefined) {
    throw new RangeError(`unknown peer '${peerId}' in ${scenarioId}; known: ${Object.keys(scenario.peers).join(', ')}`);
  }
  const params: Params = { ...scenario.params, ...overrides };
  const base = { scenario: scenarioId, peer: peerId, params };
  let peer: Peer<unknown>;
  try {
    peer = (await load()).peer;
  } catch (error) {
    return { ...base, status: 'failed', reason: `import failed: ${message(error)}` };
  }
  const described = { ...base, label: peer.label, setupNote: peer.setupNote };
  try {
    return { ...described, status: 'ok', result: await scenario.measure(peer, params, peerId) };
  } catch (error) {
    return { ...described, status: isPeerUnavailable(error) ? 'skipped' : 'failed', reason: message(error) };
  }
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const outcome = await runOne(process.argv.slice(2)).catch(
  (error: unknown): RunResult => ({ scenario: '?', peer: '?', params: {}, status: 'failed', reason: message(error) }),
);
// Exit explicitly: some peers keep timers or sockets open, and the line is all that matters.
process.stdout.write(`${JSON.stringify(outcome)}\n`, () => process.exit(outcome.status === 'failed' ? 1 : 0));
