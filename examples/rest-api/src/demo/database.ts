// The demo's database: one embedded PGlite, seeded once and served over the PostgreSQL
// wire protocol on a loopback port (@electric-sql/pglite-socket). Each mode's service
// connects to it through `pg` (DATABASE_URL), so PGlite boots once for the whole demo
// rather than once per mode. Prints "database listening on <url>"; SIGTERM stops it.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { seed } from '../db.js';

const users = Number(process.env.SEED_USERS ?? 10_000);
const db = await PGlite.create();
await seed(async (sql, params) => (await db.query(sql, params as unknown[])).rows, users);
const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1', maxConnections: 64 });
await server.start();
console.log(`database listening on postgres://postgres@${server.getServerConn()}/postgres`);

const stop = async (): Promise<void> => {
  await server.stop();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
