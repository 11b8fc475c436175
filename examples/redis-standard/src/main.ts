// @Cached / @Invalidates with TC39 standard decorators over Redis, seen from two processes:
// this one, and reader.ts, started twice as a child process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { ArticleRepository, ArticleTable, createArticleCache, show } from './articles.js';

const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
if (!/^rediss?:\/\//.test(url)) {
  console.error(
    `REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379); got ${JSON.stringify(url)}.`,
  );
  process.exit(1);
}
// A namespace of this run's own: entries of earlier runs, and anyone else's, are never read.
const namespace = `articles-${randomBytes(4).toString('hex')}`;

const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
client.on('error', (error: Error) => console.error(`[ioredis] ${error.message}`));
try {
  await client.connect();
} catch {
  console.error(`Cannot reach Redis at ${url}.`);
  console.error('Start redis-server, or set REDIS_URL=redis://host:port.');
  client.disconnect();
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'cachewise-example-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // however the run ends
const table = new ArticleTable(join(dir, 'articles.json'));
table.save([
  { id: 1, title: 'Caching without tears', author: 'ada' },
  { id: 2, title: 'Tags in O(1)', author: 'ada' },
]);

const cache = createArticleCache(client, namespace);
const articles = new ArticleRepository(table);
const me = `[main pid ${process.pid}]`;

/** Runs reader.ts in a new process and waits for it; its lines go to this process's stdout. */
function reader(label: string): Promise<void> {
  const script = fileURLToPath(new URL('reader.js', import.meta.url));
  const child = spawn(process.execPath, [script, url, namespace, table.path, label], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`reader.js exited with ${code}`))));
  });
}

console.log(`Redis ${url}, namespace ${namespace}`);
show(me, 'findById(1) (miss)', await articles.findById(1), articles);
show(me, 'findById(1) (hit)', await articles.findById(1), articles);
show(me, 'titlesBy("ada") (miss)', await articles.titlesBy('ada'), articles);
await reader('findById(1) (hit: main wrote it)');

await articles.retitle(1, 'Caching with tags', 'ada');
show(me, 'retitle(1, "Caching with tags")', 'invalidated article:1, author:ada', articles);
await reader('findById(1) (miss after the write)');
show(me, 'findById(1) (hit: the reader loaded it)', await articles.findById(1), articles);
show(me, 'titlesBy("ada") (miss after the write)', await articles.titlesBy('ada'), articles);

await cache.close();
await client.quit(); // our client: the store never closes a client it was given
