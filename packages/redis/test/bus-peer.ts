import { startFixture } from './peer-process.js';

/** A real process with its own ioredis client and redisBus (see fixtures/bus-peer.mjs). */
export interface BusPeer {
  send<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export interface BusPeerConfig {
  /** Single node: the server's URL. Give exactly one of `url` and `clusterPort`. */
  readonly url?: string;
  /** Cluster: the port of one of its nodes. */
  readonly clusterPort?: number;
  readonly channel: string;
  /** Prefix of the messages it publishes: `<name>:<n>`. */
  readonly name: string;
}

/** Starts fixtures/bus-peer.mjs (see `startFixture`). */
export function startBusPeer(config: BusPeerConfig): Promise<BusPeer> {
  return startFixture('bus-peer.mjs', config);
}
