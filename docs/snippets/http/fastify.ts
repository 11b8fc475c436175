import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import Fastify, { type FastifyRequest } from 'fastify';

const cache = createCache({ store: memoryStore(), namespace: 'http-fastify' });
const app = Fastify();
let runs = 0;
const handler = async (req: FastifyRequest) => ({ id: (req.params as { id: string }).id, runs: ++runs });

// #region fastify
import { fastifyCache } from '@cachewise/http/fastify';

await app.register(fastifyCache(cache, { ttl: '1m' })); // awaited: routes added before it loads are not cached
app.get('/users/:id', { config: { cache: { ttl: '30s', tags: (req) => [`user:${req.params.id}`] } } }, handler);
// #endregion fastify

export { app, cache };
