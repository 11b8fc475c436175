// Builds examples/redis-standard and runs it as a child process (which starts two more)
// against a redis-server this test starts on a free port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../packages/redis/test/helpers/free-port.js';
import { type RedisServer, startRedis } from '../../../packages/redis/test/helpers/index.js';
import { buildExample, runExample, runFailingExample } from '../../run-example.js';

interface Step {
  who: 'main' | 'reader';
  pid: number;
  label: string;
  value: unknown;
  queries: number;
}

let server: RedisServer;
let lines: string[];
let steps: Step[];
let keysAfter: Record<string, number>;
beforeAll(async () => {
  [server] = await Promise.all([startRedis({ private: true }), buildExample('redis-standard')]);
  const client = server.client();
  await client.set('someone-else:key', 'kept');
  lines = await runExample('redis-standard', { REDIS_URL: server.url });
  steps = lines.flatMap((line) => {
    const match = /^\[(main|reader) pid (\d+)\]\s+(.*?)\s+-> (.*) {2}queries=(\d+)$/.exec(line);
    if (!match) return [];
    const [, who, pid, label, value, queries] = match as unknown as [
      string,
      Step['who'],
      string,
      string,
      string,
      string,
    ];
    return [{ who, pid: Number(pid), label, value: JSON.parse(value), queries: Number(queries) }];
  });
  keysAfter = {};
  for (const key of await client.keys('*')) keysAfter[key] = await client.ttl(key);
});
afterAll(async () => {
  await server?.stop();
});

function step(who: Step['who'], label: string): Step {
  const found = steps.find((s) => s.who === who && s.label === label);
  if (!found) throw new Error(`no ${who} line "${label}" in:\n${lines.join('\n')}`);
  return found;
}

const before = { id: 1, title: 'Caching without tears', author: 'ada' };
const after = { ...before, title: 'Caching with tags' };

describe('examples/redis-standard', () => {
  it('uses the REDIS_URL it is given and a namespace of its own', () => {
    expect(lines[0]).toMatch(new RegExp(`^Redis ${server.url}, namespace articles-[0-9a-f]{8}$`));
  });

  it('caches in Redis: the second call, and the other process, run no query', () => {
    expect(step('main', 'findById(1) (miss)')).toMatchObject({ value: before, queries: 1 });
    expect(step('main', 'findById(1) (hit)')).toMatchObject({ value: before, queries: 1 });
    const reader = step('reader', 'findById(1) (hit: main wrote it)');
    expect(reader).toMatchObject({ value: before, queries: 0 });
    expect(reader.pid).not.toBe(step('main', 'findById(1) (hit)').pid);
  });

  it('after @Invalidates resolves, the other process reads the new value, and this one hits what it loaded', () => {
    expect(step('reader', 'findById(1) (miss after the write)')).toMatchObject({ value: after, queries: 1 });
    expect(step('main', 'findById(1) (hit: the reader loaded it)')).toMatchObject({ value: after, queries: 2 });
    expect(step('main', 'titlesBy("ada") (miss after the write)')).toMatchObject({
      value: ['Caching with tags', 'Tags in O(1)'],
      queries: 3,
    });
  });

  it('flushes nothing, and every key it wrote has a TTL of at most 11 minutes', () => {
    const { 'someone-else:key': kept, ...written } = keysAfter;
    expect(kept).toBe(-1); // still there, with no TTL
    expect(Object.keys(written).length).toBeGreaterThan(0);
    for (const [key, ttl] of Object.entries(written)) {
      expect(key.startsWith('cw-example:')).toBe(true);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(11 * 60);
    }
  });

  it('refuses a REDIS_URL that is not a redis:// URL, saying what is valid', async () => {
    const { code, stderr } = await runFailingExample('redis-standard', { REDIS_URL: '127.0.0.1:6379' });
    expect(code).toBe(1);
    expect(stderr).toBe(
      'REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379); got "127.0.0.1:6379".\n',
    );
  });

  it('says so when nothing answers at REDIS_URL', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await runFailingExample('redis-standard', { REDIS_URL: url });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      `Cannot reach Redis at ${url}.\nStart redis-server, or set REDIS_URL=redis://host:port.\n`,
    );
  });
});
