// The service's endpoints over real HTTP on loopback, in each cache mode: memory, and on a
// real redis-server (started on a free port) redis and tiered; none as the baseline; and the
// DATABASE_URL path through `pg`, against PGlite served over the PostgreSQL wire protocol.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../../packages/redis/test/helpers/index.js';
import { readConfig } from '../src/config.js';
import { type Database, openDatabase } from '../src/db.js';
import { type Service, startService } from '../src/service.js';

let pglite: PGlite;
let db: Database;
let redis: RedisServer;

beforeAll(async () => {
  pglite = await PGlite.create();
  [db, redis] = await Promise.all([openDatabase({ pglite, users: 200 }), startRedis()]);
});
afterAll(async () => {
  await redis?.stop();
  await pglite?.close();
});

async function serve(env: Record<string, string>): Promise<{ service: Service; url: string }> {
  const config = readConfig({ PORT: '0', CACHE_NAMESPACE: `t${randomBytes(4).toString('hex')}`, ...env });
  const service = await startService(config, env.DATABASE_URL === undefined ? db : undefined);
  return { service, url: await service.listen() };
}

const json = { 'content-type': 'application/json' };
const put = (url: string, name: string) => fetch(url, { method: 'PUT', headers: json, body: JSON.stringify({ name }) });
const health = async (url: string) =>
  (await (await fetch(`${url}/health`)).json()) as { queries: number; database: string };

// Each mode works on its own users (orgs of 25: user n is in org ((n - 1) % 8) + 1).
const modes = [
  { mode: 'memory', user: 11 },
  { mode: 'redis', user: 12 },
  { mode: 'tiered', user: 13 },
] as const;

describe.each(modes)('CACHE=$mode', ({ mode, user }) => {
  let service: Service | undefined;
  let url: string;
  beforeAll(async () => {
    ({ service, url } = await serve({ CACHE: mode, ...(mode === 'memory' ? {} : { REDIS_URL: redis.url }) }));
  });
  afterAll(async () => {
    await service?.close();
  });

  it('answers GET /users/:id from the cache, with ETag, Cache-Control, Last-Modified and X-Cache', async () => {
    const before = (await health(url)).queries;
    const miss = await fetch(`${url}/users/${user}`);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(await miss.json()).toEqual({
      id: user,
      orgId: ((user - 1) % 8) + 1,
      name: `User ${user}`,
      email: `user${user}@example.com`,
    });
    const hit = await fetch(`${url}/users/${user}`);
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
    expect(hit.headers.get('last-modified')).toBe(miss.headers.get('last-modified'));
    // One database query for the two requests.
    expect((await health(url)).queries - before).toBe(1);

    const notModified = await fetch(`${url}/users/${user}`, { headers: { 'if-none-match': hit.headers.get('etag')! } });
    expect(notModified.status).toBe(304);
  });

  it('PUT /users/:id through the repository drops the cached GET and the org list: the next GETs show the new name', async () => {
    const org = ((user - 1) % 8) + 1;
    await fetch(`${url}/users/${user}`);
    await fetch(`${url}/orgs/${org}/users`);
    expect((await fetch(`${url}/orgs/${org}/users`)).headers.get('x-cache')).toBe('HIT');

    const renamed = await put(`${url}/users/${user}`, `Renamed ${mode}`);
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { name: string }).name).toBe(`Renamed ${mode}`);

    const after = await fetch(`${url}/users/${user}`);
    expect(after.headers.get('x-cache')).toBe('MISS');
    expect(((await after.json()) as { name: string }).name).toBe(`Renamed ${mode}`);
    const list = await fetch(`${url}/orgs/${org}/users`);
    expect(list.headers.get('x-cache')).toBe('MISS');
    const users = (await list.json()) as { id: number; name: string }[];
    expect(users).toHaveLength(25);
    expect(users.find((u) => u.id === user)?.name).toBe(`Renamed ${mode}`);
    expect((await fetch(`${url}/users/${user}`)).headers.get('x-cache')).toBe('HIT');
  });

  it('never caches POST /users, and a new user shows in its org list', async () => {
    const org = 8; // no other test renames its users: the PUT test's lists stay 25 long
    await fetch(`${url}/orgs/${org}/users`);
    const create = () =>
      fetch(`${url}/users`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ name: `New ${mode}`, orgId: org }),
      });
    const first = await create();
    const second = await create();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.headers.get('x-cache')).toBeNull();
    expect(second.headers.get('x-cache')).toBeNull();
    const a = (await first.json()) as { id: number };
    const b = (await second.json()) as { id: number };
    expect(b.id).not.toBe(a.id);
    const list = (await (await fetch(`${url}/orgs/${org}/users`)).json()) as { id: number }[];
    expect(list.map((u) => u.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('answers /health, 404 for unknown ids and 400 for bad input', async () => {
    const status = (await (await fetch(`${url}/health`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ status: 'ok', cache: mode, database: 'embedded PGlite' });
    expect((await fetch(`${url}/users/999999`)).status).toBe(404);
    expect((await fetch(`${url}/orgs/999999/users`)).status).toBe(404);
    expect((await fetch(`${url}/users/abc`)).status).toBe(400);
    expect((await put(`${url}/users/${user}`, '')).status).toBe(400);
  });
});

describe('CACHE=none', () => {
  it('answers every GET from the database, with no cache headers', async () => {
    const { service, url } = await serve({ CACHE: 'none' });
    try {
      const before = (await health(url)).queries;
      for (let i = 0; i < 2; i++) {
        const response = await fetch(`${url}/users/14`);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-cache')).toBeNull();
        expect(response.headers.get('etag')).toBeNull();
      }
      expect((await health(url)).queries - before).toBe(2);
      expect((await put(`${url}/users/14`, 'Plain')).status).toBe(200);
      expect(((await (await fetch(`${url}/users/14`)).json()) as { name: string }).name).toBe('Plain');
    } finally {
      await service.close();
    }
  });
});

describe('DATABASE_URL: PostgreSQL through pg', () => {
  it('serves the endpoints from a PostgreSQL server (PGlite over the wire protocol)', async () => {
    const server = new PGLiteSocketServer({ db: pglite, port: 0, host: '127.0.0.1', maxConnections: 16 });
    await server.start();
    const { service, url } = await serve({
      CACHE: 'memory',
      DATABASE_URL: `postgres://postgres@${server.getServerConn()}/postgres`,
    });
    try {
      expect((await health(url)).database).toBe('PostgreSQL (pg)');
      const miss = await fetch(`${url}/users/15`);
      expect(miss.headers.get('x-cache')).toBe('MISS');
      expect(((await miss.json()) as { name: string }).name).toBe('User 15');
      expect((await put(`${url}/users/15`, 'Over pg')).status).toBe(200);
      const after = await fetch(`${url}/users/15`);
      expect(after.headers.get('x-cache')).toBe('MISS');
      expect(((await after.json()) as { name: string }).name).toBe('Over pg');
      // The write reached the database itself, as seen without the service.
      const rows = await pglite.query<{ name: string }>('SELECT name FROM cachewise_demo.users WHERE id = 15');
      expect(rows.rows[0]?.name).toBe('Over pg');
      // GET, then PUT (its lookup of the user is a repository cache hit, then the update), then GET.
      expect((await health(url)).queries).toBe(3);
    } finally {
      await service.close();
      await server.stop();
    }
  });
});
