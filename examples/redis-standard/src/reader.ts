// The second process: the same repository over the same Redis and namespace. Reads one
// article and prints what it got and whether it had to query.
import { Redis } from 'ioredis';
import { ArticleRepository, ArticleTable, createArticleCache, show } from './articles.js';

const [url, namespace, tablePath, label] = process.argv.slice(2) as [string, string, string, string];
const client = new Redis(url, { maxRetriesPerRequest: 1 });
client.on('error', (error: Error) => console.error(`[ioredis] ${error.message}`));
const cache = createArticleCache(client, namespace);
const articles = new ArticleRepository(new ArticleTable(tablePath));

show(`[reader pid ${process.pid}]`, label, await articles.findById(1), articles);
await cache.close();
await client.quit();
