/** A load in progress; `promise` is set by whoever began it, before anyone can join. */
export interface Flight {
  promise: Promise<unknown>;
  readonly epoch: number;
}

/** How many keys of ended loads the map keeps before it sweeps them out. */
const MAX_IDLE = 1024;

/**
 * Per-cache in-process coalescing: concurrent callers of one cold key share one load.
 *
 * An invalidation through this cache moves the epoch on; a caller that arrives after it
 * never joins a load that began before it (P2 within the process), it starts its own.
 *
 * A load that ends leaves its key in the map with no flight, and the map is swept after
 * {@link MAX_IDLE} of them: deleting the only key of a `Map` shrinks its table, and the
 * next load grows it again, two allocations per load that made the loads of an outage
 * (one per call) several times slower.
 */
export class SingleFlight {
  #flights: Map<string, Flight | undefined> | undefined;
  /** Loads in progress: the hit path looks nothing up while it is 0. */
  #active = 0;
  #idle = 0;
  #epoch = 0;

  /** The load in progress for `key` that a new caller may join, if any. */
  join<T>(key: string): Promise<T> | undefined {
    if (this.#active === 0) return undefined; // the hit path: no lookup
    const flight = this.#flights!.get(key);
    return flight !== undefined && flight.epoch === this.#epoch ? (flight.promise as Promise<T>) : undefined;
  }

  /** Starts `load` as the flight for `key`; the entry goes when it settles. */
  start<T>(key: string, load: () => Promise<T>): Promise<T> {
    const promise = load();
    const flight = this.begin(key);
    flight.promise = promise;
    const done = (): void => this.end(key, flight);
    promise.then(done, done);
    return promise;
  }

  /**
   * Registers a load whose promise the caller sets on the returned flight, and which
   * calls {@link end} when it settles: one promise fewer per load than {@link start}.
   */
  begin(key: string): Flight {
    this.#flights ??= new Map();
    const flight: Flight = { promise: undefined as unknown as Promise<unknown>, epoch: this.#epoch };
    if (this.#flights.get(key) === undefined) this.#active++;
    this.#flights.set(key, flight);
    return flight;
  }

  /** The flight `begin` returned has settled. */
  end(key: string, flight: Flight): void {
    const flights = this.#flights!;
    if (flights.get(key) !== flight) return;
    flights.set(key, undefined);
    this.#active--;
    if (++this.#idle < MAX_IDLE) return;
    this.#idle = 0;
    if (this.#active === 0) flights.clear();
    else for (const [idleKey, idle] of flights) if (idle === undefined) flights.delete(idleKey);
  }

  /** Called on every invalidation made through the cache. */
  invalidate(): void {
    this.#epoch++;
  }

  /** @internal Keys in the map, of loads in progress and of ended ones not yet swept. */
  get tracked(): number {
    return this.#flights?.size ?? 0;
  }

  /** Loads in progress. */
  get size(): number {
    return this.#active;
  }
}
