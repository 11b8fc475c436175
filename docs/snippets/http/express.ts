import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import express, { type Request, type Response } from 'express';

const cache = createCache({ store: memoryStore(), namespace: 'http-express' });
const app: express.Express = express();
let runs = 0;
const handler = (req: Request, res: Response) => {
  res.json({ id: req.params.id, runs: ++runs });
};

// #region express
import { expressCache } from '@cachewise/http/express';

app.get('/users/:id', expressCache(cache, { ttl: '30s', tags: (req) => [`user:${req.params.id}`] }), handler);
// #endregion express

export { app, cache };
