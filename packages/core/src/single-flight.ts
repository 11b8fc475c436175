interface Flight {
  readonly promise: Promise<unknown>;
  readonly epoch: number;
}

/**
 * Per-cache in-process coalescing: concurrent callers of one cold key share one load.
 *
 * An invalidation through this cache moves the epoch on; a caller that arrives after it
 * never joins a load that began before it (P2 within the process), it starts its own.
 * The map is made on first use and holds only loads in progress.
 */
export class SingleFlight {
  #flights: Map<string, Flight> | undefined;
  #epoch = 0;

  /** The load in progress for `key` that a new caller may join, if any. */
  join<T>(key: string): Promise<T> | undefined {
    const flights = this.#flights;
    if (flights === undefined || flights.size === 0) return undefined; // the hit path: no lookup
    const flight = flights.get(key);
    return flight !== undefined && flight.epoch === this.#epoch ? (flight.promise as Promise<T>) : undefined;
  }

  /** Starts `load` as the flight for `key`; the entry goes when it settles. */
  start<T>(key: string, load: () => Promise<T>): Promise<T> {
    this.#flights ??= new Map();
    const flights = this.#flights;
    const promise = load();
    const flight: Flight = { promise, epoch: this.#epoch };
    flights.set(key, flight);
    const done = (): void => {
      if (flights.get(key) === flight) flights.delete(key);
    };
    promise.then(done, done);
    return promise;
  }

  /** Called on every invalidation made through the cache. */
  invalidate(): void {
    this.#epoch++;
  }

  get size(): number {
    return this.#flights?.size ?? 0;
  }
}
