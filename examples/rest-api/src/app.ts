// The HTTP service. Reads answer through `@cachewise/http` (ETag, Cache-Control, X-Cache),
// tagged as the repository's entries are, so a write through the repository drops both.
import type { Cache } from '@cachewise/core';
import { fastifyCache } from '@cachewise/http/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Database } from './db.js';
import type { Users } from './users.js';

export interface AppOptions {
  users: Users;
  db: Database;
  /** Undefined: no cache (CACHE=none). */
  cache: Cache | undefined;
  /** What /health reports as the cache mode. */
  mode: string;
}

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  required: ['id'],
} as const;
const nameBody = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
  required: ['name'],
  additionalProperties: false,
} as const;
const newUserBody = {
  type: 'object',
  properties: { ...nameBody.properties, orgId: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
  required: ['name', 'orgId'],
  additionalProperties: false,
} as const;

type ById = { Params: { id: number } };

export async function buildApp({ users, db, cache, mode }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify();
  if (cache !== undefined) await app.register(fastifyCache(cache, { ttl: '5m' }));
  // Without a cache, `config.cache` is ignored: the routes are the same.
  const cached = (tags: (id: number) => string) =>
    cache === undefined
      ? {}
      : { cache: { tags: (req: { params: Record<string, string> }) => [tags(Number(req.params.id))] } };

  app.get<ById>(
    '/users/:id',
    { schema: { params: idParams }, config: cached((id) => `user:${id}`) },
    async (req, reply) => {
      const user = await users.findById(req.params.id);
      return user ?? reply.code(404).send({ error: `no user ${req.params.id}` });
    },
  );

  app.get<ById>(
    '/orgs/:id/users',
    { schema: { params: idParams }, config: cached((id) => `org:${id}`) },
    async (req, reply) => {
      const list = await users.listByOrg(req.params.id);
      return list ?? reply.code(404).send({ error: `no org ${req.params.id}` });
    },
  );

  app.put<ById & { Body: { name: string } }>(
    '/users/:id',
    { schema: { params: idParams, body: nameBody } },
    async (req, reply) => {
      const user = await users.findById(req.params.id);
      if (user === null) return reply.code(404).send({ error: `no user ${req.params.id}` });
      return users.rename(user, req.body.name);
    },
  );

  app.post<{ Body: { name: string; orgId: number } }>(
    '/users',
    { schema: { body: newUserBody } },
    async (req, reply) => {
      const list = await users.listByOrg(req.body.orgId);
      if (list === null) return reply.code(404).send({ error: `no org ${req.body.orgId}` });
      const user = await users.create({ orgId: req.body.orgId, name: req.body.name });
      return reply.code(201).send(user);
    },
  );

  app.get('/health', async () => {
    const stats = cache?.stats();
    return {
      status: 'ok',
      cache: mode,
      database: db.kind,
      queries: db.queries,
      stats:
        stats === undefined
          ? null
          : {
              hits: stats.hits,
              misses: stats.misses,
              coalesced: stats.coalesced,
              loads: stats.loads,
              hitRate: stats.hitRate,
              offloadRate: stats.offloadRate,
              // Per label: `#get` is the HTTP response lookups, `UserRepository.*` the repository.
              byMethod: Object.fromEntries(
                Object.entries(stats.byMethod).map(([label, c]) => [
                  label,
                  { hits: c.hits, misses: c.misses, coalesced: c.coalesced, loads: c.loads },
                ]),
              ),
            },
    };
  });
  return app;
}
