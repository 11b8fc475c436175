// The users table as the service had it before caching: plain SQL, one query per call.
import { randomUUID } from 'node:crypto';
import type { Database } from './db.js';

export interface User {
  id: number;
  orgId: number;
  name: string;
  email: string;
}

export interface NewUser {
  orgId: number;
  name: string;
}

/** What the routes need; the table and the cached repository both provide it. */
export interface Users {
  findById(id: number): Promise<User | null>;
  /** The org's users by id, or null when there is no such org. */
  listByOrg(orgId: number): Promise<User[] | null>;
  rename(user: User, name: string): Promise<User>;
  create(input: NewUser): Promise<User>;
}

const COLUMNS = 'u.id, u.org_id AS "orgId", u.name, u.email';

export class UserTable implements Users {
  constructor(private readonly db: Database) {}

  async findById(id: number): Promise<User | null> {
    const rows = await this.db.query<User>(`SELECT ${COLUMNS} FROM cachewise_demo.users u WHERE u.id = $1`, [id]);
    return rows[0] ?? null;
  }

  async listByOrg(orgId: number): Promise<User[] | null> {
    // One query: the org's row tells "no such org" apart from "no users".
    const rows = await this.db.query<User & { org: number }>(
      `SELECT o.id AS org, ${COLUMNS} FROM cachewise_demo.orgs o
       LEFT JOIN cachewise_demo.users u ON u.org_id = o.id
       WHERE o.id = $1 ORDER BY u.id`,
      [orgId],
    );
    if (rows.length === 0) return null;
    return rows.filter((row) => row.id !== null).map(({ id, orgId, name, email }) => ({ id, orgId, name, email }));
  }

  async rename(user: User, name: string): Promise<User> {
    const rows = await this.db.query<User>(
      `UPDATE cachewise_demo.users u SET name = $2 WHERE u.id = $1 RETURNING ${COLUMNS}`,
      [user.id, name],
    );
    return rows[0] ?? { ...user, name };
  }

  async create(input: NewUser): Promise<User> {
    const rows = await this.db.query<User>(
      `INSERT INTO cachewise_demo.users AS u (org_id, name, email)
       VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [input.orgId, input.name, `new-${randomUUID().slice(0, 8)}@example.com`],
    );
    return rows[0]!;
  }
}
