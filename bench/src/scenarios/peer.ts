/** What a scenario tells a peer when setting it up. */
export interface PeerContext {
  /** Most entries the peer's cache must hold without evicting. */
  capacity: number;
  /** Port of the private redis-server, for Redis scenarios. */
  redisPort?: number;
}

/** A peer set up in this process, ready to be called with warm keys. */
export interface Subject {
  /** One cached call for `id`, resolving to the value. */
  call(id: number): Promise<unknown>;
  /** How many times the loader ran; must not move while hits are timed. */
  loads(): number;
  /** Releases connections so the process can end. */
  close?(): Promise<void>;
}

/**
 * One library (or one way of using it) in a scenario. `S` is what `setup` hands the
 * scenario's measure: a {@link Subject} for the hit-path scenarios, something else for
 * a scenario that drives the peer differently (redis-invalidate).
 */
export interface Peer<S = Subject> {
  /** Row label in the results table. */
  label: string;
  /** How the peer is configured, for the table's "what is measured" column. */
  setupNote: string;
  setup(context: PeerContext): Promise<S>;
}

/** Thrown by a peer that cannot run here (a package not built yet, say): its row is skipped with the reason. */
export class PeerUnavailableError extends Error {
  override readonly name = 'PeerUnavailableError';
}

export function isPeerUnavailable(error: unknown): error is PeerUnavailableError {
  return error instanceof Error && error.name === 'PeerUnavailableError';
}
