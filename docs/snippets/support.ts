// What the guides' snippets take as given: a small in-memory "database", the types the
// guides talk about, a logger and a metrics client. The snippets import from here outside
// their regions, so the pages show only the part that matters.

export interface User {
  id: number;
  name: string;
  email?: string;
}
export interface Product {
  sku: string;
  price: number;
}
export interface Order {
  id: number;
  userId: number;
}
export interface Page {
  slug: string;
  html: string;
}
export interface Query {
  text: string;
  limit: number;
}
export interface Result {
  id: number;
}
export interface Report {
  id: number;
  rows: number;
}

/** A table of users that counts its reads, so tests can tell a hit from a load. */
export function createDb() {
  const users = new Map<number, User>([
    [1, { id: 1, name: 'Ada', email: 'ada@example.com' }],
    [2, { id: 2, name: 'Grace', email: 'grace@example.com' }],
    [42, { id: 42, name: 'Douglas', email: 'douglas@example.com' }],
  ]);
  const counts = { reads: 0, writes: 0 };
  return {
    counts,
    users: {
      async find(id: number): Promise<User | null> {
        counts.reads++;
        const user = users.get(id);
        return user === undefined ? null : { ...user };
      },
      async findByEmail(email: string): Promise<User | null> {
        counts.reads++;
        for (const user of users.values()) if (user.email === email) return { ...user };
        return null;
      },
      async update(id: number, change: Partial<User>): Promise<void> {
        counts.writes++;
        const user = users.get(id);
        if (user !== undefined) users.set(id, { ...user, ...change });
      },
      async delete(id: number): Promise<void> {
        counts.writes++;
        users.delete(id);
      },
      async count(): Promise<number> {
        counts.reads++;
        return users.size;
      },
      async ofOrg(_orgId: number): Promise<User[]> {
        counts.reads++;
        return [...users.values()].map((user) => ({ ...user }));
      },
    },
  };
}

export const db = createDb();

export const logger = {
  lines: [] as string[],
  warn(...args: unknown[]): void {
    this.lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  },
  error(...args: unknown[]): void {
    this.lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
  },
};

export const metrics = {
  gauges: [] as { name: string; value: number; labels?: Record<string, string> }[],
  gauge(name: string, value: number, labels?: Record<string, string>): void {
    this.gauges.push(labels === undefined ? { name, value } : { name, value, labels });
  },
};
