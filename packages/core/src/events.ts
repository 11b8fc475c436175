import type { InvalidationMode } from './store.js';

/** Where an error came from. */
export type CacheErrorKind = 'load' | 'store' | 'serialize' | 'decode' | 'lock' | 'options';

/** Why a stale value was served: see `staleWhileRevalidate`, `staleIfError` and `stampede`. */
export type StaleReason = 'revalidating' | 'error' | 'lock-timeout';

/** What became of a fleet-wide lock for a load (`stampede`). */
export type LockOutcome = 'acquired' | 'waited' | 'peer-loaded' | 'timeout' | 'unavailable';

/**
 * The events a cache emits, with their payloads. Keys are storage keys; values and
 * connection details never appear in events.
 */
export interface CacheEventMap {
  hit: { readonly key: string; readonly label: string };
  miss: { readonly key: string; readonly label: string };
  /** A stale value served; `invalidated`: made stale by an `'expire'`-mode invalidation, not by its TTL. */
  stale: { readonly key: string; readonly label: string; readonly reason: StaleReason; readonly invalidated: boolean };
  /** A background refresh settled; `early`: started before expiry (`earlyRefresh`). */
  refresh: { readonly key: string; readonly label: string; readonly early: boolean; readonly ok: boolean };
  /** The fleet-wide lock of a load, when a `stampede` protector is set. */
  lock: { readonly key: string; readonly label: string; readonly outcome: LockOutcome };
  set: { readonly key: string; readonly label: string; readonly ttlMs: number };
  invalidate: {
    readonly tags: readonly string[];
    readonly keys: readonly string[];
    readonly mode: InvalidationMode;
  };
  error: { readonly kind: CacheErrorKind; readonly key?: string; readonly label?: string; readonly error: unknown };
}

export type CacheEventName = keyof CacheEventMap;
export type CacheListener<E extends CacheEventName> = (event: CacheEventMap[E]) => void;

/**
 * A small typed emitter. `has(name)` lets hot paths skip building an event nobody
 * listens to. A listener that throws is ignored: observability never breaks a call.
 */
export class Emitter {
  readonly #listeners: { [E in CacheEventName]?: CacheListener<E>[] } = {};

  on<E extends CacheEventName>(name: E, listener: CacheListener<E>): () => void {
    this.#listeners[name] ??= [];
    const list = this.#listeners[name] as CacheListener<E>[];
    list.push(listener);
    return () => {
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
    };
  }

  has(name: CacheEventName): boolean {
    const list = this.#listeners[name];
    return list !== undefined && list.length > 0;
  }

  emit<E extends CacheEventName>(name: E, event: CacheEventMap[E]): void {
    const list = this.#listeners[name] as CacheListener<E>[] | undefined;
    if (list === undefined) return;
    for (const listener of [...list]) {
      try {
        listener(event);
      } catch {
        // A listener's own failure is not the cache's.
      }
    }
  }

  clear(): void {
    for (const name of Object.keys(this.#listeners) as CacheEventName[]) delete this.#listeners[name];
  }
}
