// The database: an embedded PGlite (Postgres in WebAssembly) by default, or a PostgreSQL
// server through `pg` when DATABASE_URL is set. Every query is counted, and may first wait
// a fixed delay that stands for a database across a network: a timer before the query, so
// concurrent queries overlap as they would over a network.
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export interface Database {
  /** `embedded PGlite` or `PostgreSQL (pg)`. */
  readonly kind: string;
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Queries run so far (the seed's are not counted). */
  readonly queries: number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL URL; unset: an embedded PGlite database. */
  url?: string | undefined;
  /** Milliseconds to wait before each query. Default 0. */
  delayMs?: number;
  /** A PGlite instance to use instead of a new one (close() leaves it open). */
  pglite?: PGlite;
  /** How many users to seed into an empty database (in orgs of 25). Default 10,000. */
  users?: number;
}

/** A query without counting or delay. */
export type RawQuery = (sql: string, params: readonly unknown[]) => Promise<unknown[]>;

export const USERS_PER_ORG = 25;

/** Opens the database, creating and seeding its tables when they are missing or empty. */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const delayMs = options.delayMs ?? 0;
  let raw: RawQuery;
  let close: () => Promise<void>;
  let kind: string;
  if (options.url === undefined) {
    const given = options.pglite;
    const db = given ?? (await PGlite.create());
    raw = async (sql, params) => (await db.query(sql, params as unknown[])).rows;
    close = () => (given === undefined ? db.close() : Promise.resolve());
    kind = 'embedded PGlite';
  } else {
    const pool = new pg.Pool({ connectionString: options.url, max: 10 });
    raw = async (sql, params) => (await pool.query(sql, params as unknown[])).rows;
    close = () => pool.end();
    kind = 'PostgreSQL (pg)';
  }
  try {
    await seed(raw, options.users ?? 10_000);
  } catch (error) {
    await close();
    throw error;
  }
  let queries = 0;
  return {
    kind,
    get queries() {
      return queries;
    },
    async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
      queries++;
      if (delayMs > 0) await sleep(delayMs);
      return (await raw(sql, params)) as Row[];
    },
    close,
  };
}

/**
 * Creates the tables in their own schema (`cachewise_demo`), so a shared server's other
 * data is never touched, and seeds `users` users when the table is empty. An existing,
 * non-empty demo schema is used as it is.
 */
export async function seed(query: RawQuery, users: number): Promise<void> {
  await query('CREATE SCHEMA IF NOT EXISTS cachewise_demo', []);
  await query('CREATE TABLE IF NOT EXISTS cachewise_demo.orgs (id integer PRIMARY KEY, name text NOT NULL)', []);
  await query(
    `CREATE TABLE IF NOT EXISTS cachewise_demo.users (
       id serial PRIMARY KEY,
       org_id integer NOT NULL REFERENCES cachewise_demo.orgs (id),
       name text NOT NULL,
       email text NOT NULL
     )`,
    [],
  );
  await query('CREATE INDEX IF NOT EXISTS users_org_id ON cachewise_demo.users (org_id)', []);
  const [row] = (await query('SELECT count(*)::int AS n FROM cachewise_demo.users', [])) as { n: number }[];
  if ((row?.n ?? 0) > 0) return;
  const orgs = Math.ceil(users / USERS_PER_ORG);
  await query(
    "INSERT INTO cachewise_demo.orgs (id, name) SELECT g, 'Org ' || g FROM generate_series(1, $1::int) AS g",
    [orgs],
  );
  // User n is in org ((n - 1) % orgs) + 1, so consecutive ids (the hot ones, in the demo's
  // load) are in different orgs; rows are written org by org, so an org's users share pages.
  await query(
    `INSERT INTO cachewise_demo.users (id, org_id, name, email)
     SELECT g, ((g - 1) % $2::int) + 1, 'User ' || g, 'user' || g || '@example.com'
     FROM generate_series(1, $1::int) AS g ORDER BY ((g - 1) % $2::int), g`,
    [users, orgs],
  );
  await query("SELECT setval('cachewise_demo.users_id_seq', $1::int)", [users]);
  await query('ANALYZE cachewise_demo.orgs', []);
  await query('ANALYZE cachewise_demo.users', []);
}
