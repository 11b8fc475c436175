import { createServer } from 'node:net';

export const LOCALHOST = '127.0.0.1';

/** Binds `port` (0 = let the kernel choose) on 127.0.0.1, then releases it and returns the port. */
function probe(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: LOCALHOST, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

function isBusy(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

export interface FreePortOptions {
  /**
   * Also require `port + offset` to be free. Redis Cluster listens on its bus at port + 10000,
   * so cluster nodes need both (and hence a port below 55536).
   */
  alsoFreeAt?: number;
}

/**
 * A port that was free a moment ago. Someone else can still take it before our server binds
 * it, so callers retry on EADDRINUSE (see `launchOnFreePort`).
 */
export async function freePort(options: FreePortOptions = {}): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = await probe(0);
    if (options.alsoFreeAt === undefined) return port;
    const other = port + options.alsoFreeAt;
    if (other > 65535) continue;
    try {
      await probe(other);
      return port;
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
  }
  throw new Error('freePort: no usable port found after 100 attempts');
}
