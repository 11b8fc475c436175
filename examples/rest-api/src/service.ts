// One service from its settings: database, cache, repository and HTTP app, and how to stop it.
import type { Cache } from '@cachewise/core';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { openCache } from './cache.js';
import type { Config } from './config.js';
import { type Database, openDatabase } from './db.js';
import { UserRepository } from './user-repository.js';
import { UserTable } from './users.js';

export interface Service {
  readonly app: FastifyInstance;
  readonly db: Database;
  readonly cache: Cache | undefined;
  /** `http://host:port` once listening. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens the database (or uses `shared`, which close() then leaves open: tests share one
 * PGlite between services), the cache and the app.
 */
export async function startService(config: Config, shared?: Database): Promise<Service> {
  const db =
    shared ?? (await openDatabase({ url: config.databaseUrl, delayMs: config.dbDelayMs, users: config.seedUsers }));
  const closeDb = () => (shared === undefined ? db.close() : Promise.resolve());
  let opened: Awaited<ReturnType<typeof openCache>>;
  try {
    opened = await openCache(config);
  } catch (error) {
    await closeDb();
    throw error;
  }
  const { cache } = opened;
  const table = new UserTable(db);
  const users = cache === undefined ? table : new UserRepository(cache, table);
  const app = await buildApp({ users, db, cache, mode: config.cache });
  return {
    app,
    db,
    cache,
    async listen() {
      await app.listen({ port: config.port, host: config.host });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.port;
      const host = config.host.includes(':') ? `[${config.host}]` : config.host;
      return `http://${host}:${port}`;
    },
    async close() {
      await app.close();
      await opened.close();
      await closeDb();
    },
  };
}
