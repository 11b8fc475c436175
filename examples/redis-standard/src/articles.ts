// What both processes share: the repository class, its "database", and how to make the cache.
import { readFileSync, writeFileSync } from 'node:fs';
import { type Cache, Cached, createCache, Invalidates } from '@cachewise/core';
import { redisStore } from '@cachewise/redis';
import type { Redis } from 'ioredis';

export interface Article {
  id: number;
  title: string;
  author: string;
}

/** The "database": a JSON file both processes read and write. */
export class ArticleTable {
  constructor(readonly path: string) {}

  all(): Article[] {
    return JSON.parse(readFileSync(this.path, 'utf8')) as Article[];
  }

  save(articles: Article[]): void {
    writeFileSync(this.path, JSON.stringify(articles));
  }
}

// Standard decorators (no experimentalDecorators): the same @Cached and @Invalidates as
// with legacy ones.
export class ArticleRepository {
  /** How many times this process ran a query, i.e. missed the cache. */
  queries = 0;

  constructor(private readonly table: ArticleTable) {}

  @Cached({ ttl: '5m', tags: (id: number) => [`article:${id}`] })
  async findById(id: number): Promise<Article | null> {
    this.queries++;
    return this.table.all().find((article) => article.id === id) ?? null;
  }

  @Cached({ ttl: '5m', tags: (author: string) => [`author:${author}`] })
  async titlesBy(author: string): Promise<string[]> {
    this.queries++;
    return this.table
      .all()
      .filter((article) => article.author === author)
      .map((article) => article.title);
  }

  // The tags are computed from the arguments before the method runs.
  @Invalidates({ tags: (id: number, _title: string, author: string) => [`article:${id}`, `author:${author}`] })
  async retitle(id: number, title: string, author: string): Promise<void> {
    const mine = (article: Article) => article.id === id && article.author === author;
    this.table.save(this.table.all().map((article) => (mine(article) ? { ...article, title } : article)));
  }
}

/**
 * One cache over Redis. Every key it writes starts with `cw-example:` and expires within
 * 11 minutes (`maxTtl` + `generationTtl`), so nothing needs cleaning up and nothing is flushed.
 */
export function createArticleCache(client: Redis, namespace: string): Cache {
  return createCache({
    store: redisStore({ client, prefix: 'cw-example:', maxTtl: '10m', generationTtl: '1m' }),
    namespace,
    ttl: '5m',
  });
}

export function show(who: string, label: string, value: unknown, repository: ArticleRepository): void {
  console.log(`${who.padEnd(20)} ${label.padEnd(42)} -> ${JSON.stringify(value)}  queries=${repository.queries}`);
}
