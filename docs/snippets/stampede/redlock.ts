// Compiled, not run: it only shows the option shapes.
import { Redis } from 'ioredis';
import { client } from '../redis-client.js';

const [a, b, c] = [1, 2, 3].map((db) => new Redis({ db, lazyConnect: true })) as [Redis, Redis, Redis];

// #region redlock
import { redlockProtector } from '@cachewise/redis';

redlockProtector({ client }); // your ioredis Redis or Cluster
redlockProtector({ clients: [a, b, c] }); // multi-node Redlock: independent masters
redlockProtector({ client, lockTtl: '5s', wait: '2s', prefix: 'cw:lock:' });
// #endregion redlock
