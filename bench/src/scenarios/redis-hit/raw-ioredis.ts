import { Loader } from '../../harness/user.js';
import type { Peer } from '../peer.js';
import { connectIoredis, TTL_SECONDS } from './connection.js';

/** The floor: GET and JSON.parse on one ioredis connection, cache-aside by hand. */
export const peer: Peer = {
  label: 'raw ioredis GET + JSON.parse',
  setupNote: 'ioredis 5 `get` + `JSON.parse`; on a miss `set(key, json, "EX", 300)`',
  async setup(context) {
    const loader = new Loader();
    const client = await connectIoredis(context);
    async function get(id: number): Promise<unknown> {
      const key = `raw:user:${id}`;
      const json = await client.get(key);
      if (json !== null) return JSON.parse(json) as unknown;
      const value = loader.load(id);
      await client.set(key, JSON.stringify(value), 'EX', TTL_SECONDS);
      return value;
    }
    return {
      call: get,
      loads: () => loader.count,
      close: async () => {
        await client.quit();
      },
    };
  },
};
