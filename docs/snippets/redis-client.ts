// The Redis client the guides' snippets take as given. Tests point REDIS_URL at a
// redis-server they start on a free port.
import { Redis } from 'ioredis';

export const client = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
