import { Redis } from 'ioredis';
import { PeerUnavailableError, type PeerContext } from '../peer.js';

/** The private server's port; Redis peers never fall back to a default server. */
export function redisPort(context: PeerContext): number {
  if (context.redisPort === undefined) throw new PeerUnavailableError('no private redis-server port was given (--redisPort=<port>)');
  return context.redisPort;
}

/** An ioredis client on the private server, connected before timing starts. */
export async function connectIoredis(context: PeerContext): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port: redisPort(context), lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return client;
}

export const TTL_SECONDS = 300;
