// P6 with real processes: three services with tiered caches (memory L1, Redis L2,
// redisBus) over one Redis. A change made by one reaches the others' memory tiers; a
// Redis restart empties them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from './helpers/index.js';
import { type PeerProcess, startFixture } from './peer-process.js';

type Read = { value: unknown; loaded: boolean };

let server: RedisServer;
let peers: PeerProcess[] = [];
beforeAll(async () => {
  server = await startRedis({ private: true });
  const config = { url: server.url, prefix: server.newPrefix(), channel: `p6-${process.pid}` };
  peers = await Promise.all([0, 1, 2].map(() => startFixture('tiered-peer.mjs', config)));
});
afterAll(async () => {
  await Promise.all(peers.map((peer) => peer.stop()));
  await server?.stop();
});

/** Asks `peer` until `done(answer)`, round trip after round trip (no timers), at most `tries` times. */
async function until<T>(ask: () => Promise<T>, done: (answer: T) => boolean, tries = 2_000): Promise<T> {
  let answer = await ask();
  for (let i = 0; i < tries && !done(answer); i++) answer = await ask();
  return answer;
}

/** Reads `key` twice, so the second answer comes from (and leaves a copy in) the memory tier. */
async function warm(peer: PeerProcess, key: string, value: string, tags: string[]): Promise<void> {
  await peer.send<Read>('wrap', { key, value, tags });
  await peer.send<Read>('wrap', { key, value, tags });
}

describe('tiered across three processes (P6)', () => {
  it("a tag invalidation on one process reaches the others' memory tiers; afterwards nobody serves the old value", async () => {
    const [a, b, c] = peers as [PeerProcess, PeerProcess, PeerProcess];
    for (const peer of [a, b, c]) await warm(peer, 'user:1', 'old', ['user:1']);
    await a.send('invalidate', { tags: ['user:1'] });
    for (const peer of [b, c]) {
      const seen = await until(
        () => peer.send<{ value: unknown }>('get', { key: 'user:1' }),
        (answer) => answer.value === null,
      );
      expect(seen.value).toBeNull();
    }
    for (const peer of [a, b, c]) {
      const read = await peer.send<Read>('wrap', { key: 'user:1', value: 'new', tags: ['user:1'] });
      expect(read.value).toBe('new');
    }
  });

  it("set() on one process replaces the others' copies", async () => {
    const [a, b, c] = peers as [PeerProcess, PeerProcess, PeerProcess];
    for (const peer of [b, c]) await warm(peer, 'k', 'old', []);
    await a.send('set', { key: 'k', value: 'set by a' });
    for (const peer of [b, c]) {
      const seen = await until(
        () => peer.send<{ value: unknown }>('get', { key: 'k' }),
        (answer) => answer.value === 'set by a',
      );
      expect(seen.value).toBe('set by a');
    }
  });

  it('after Redis restarts empty, every process drops its memory tier and reads what is written next', async () => {
    const [a, b, c] = peers as [PeerProcess, PeerProcess, PeerProcess];
    for (const peer of [a, b, c]) await warm(peer, 'r', 'before the restart', ['r']);
    await server.restart();
    // Once a's write goes through, every process comes to read it, never its old copy for long.
    await until(
      () =>
        a.send('set', { key: 'r', value: 'after the restart', tags: ['r'] }).then(
          () => true,
          () => false,
        ),
      (ok) => ok,
    );
    for (const peer of [b, c]) {
      const seen = await until(
        () => peer.send<{ value: unknown }>('get', { key: 'r' }),
        (answer) => answer.value === 'after the restart',
        20_000,
      );
      expect(seen.value).toBe('after the restart');
    }
  });
});
