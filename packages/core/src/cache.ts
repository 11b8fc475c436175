import { parseDuration, describe, type Duration } from './duration.js';
import { decodeRecord, encodeRecord, type CacheRecord, type DecodeLimits } from './entry.js';
import { CacheError, CacheOptionsError, DecodeError, StoreError, withoutArguments } from './errors.js';
import { Emitter, type CacheErrorKind, type CacheEventName, type CacheListener } from './events.js';
import { hash, namespaceTagId, tagId, userKey } from './keys.js';
import { checkTtlFitsStore, rejectUnknown, resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './options.js';
import { jsonSerializer } from './serializer.js';
import { SingleFlight } from './single-flight.js';
import { Stats, type CacheCounters, type CacheStats } from './stats.js';
import { isThenable, type InvalidationMode, type MaybePromise, type StoreRead, type TagState } from './store.js';

/** Options of {@link Cache.wrap}. */
export interface WrapOptions<T = unknown> {
  /** Time to live of this entry; default the cache's `ttl`. */
  ttl?: Duration;
  /** Tags to invalidate the entry by. */
  tags?: readonly string[];
  /** Do not store results for which this returns true (they are still returned). */
  unless?: (value: T) => boolean;
  /** The label for `stats().byMethod`; default `'#wrap'`. */
  name?: string;
}

/** Options of {@link Cache.set}. */
export interface SetOptions {
  ttl?: Duration;
  tags?: readonly string[];
}

/** Options of {@link Cache.invalidateTags}. */
export interface InvalidateOptions {
  /**
   * `'delete'` (default): tagged entries are gone. `'expire'`: they are no longer fresh,
   * but a stale-tolerant read may still use them.
   */
  mode?: InvalidationMode;
}

/** What {@link Cache.getEntry} returns. */
export interface CacheEntryInfo<T = unknown> {
  readonly value: T;
  readonly storedAt: number;
  readonly expiresAt: number;
  /** The user's tags (without the namespace). */
  readonly tags: readonly string[];
  /** A strong validator: equal for equal values, on every server. */
  readonly etag: string;
}

/**
 * A reference to a cached method's entry by its arguments, made by `methodKey()` (or a
 * `cached()` function's `keyFor()`): lets `delete` and `@Invalidates({ keys })` name it
 * without knowing the key format.
 */
export interface EntryRef {
  /** The storage key of the entry in `cache`. */
  storageKey(cache: Cache): string;
}

/** @internal A method's or label's settings, bound to one cache. */
export interface CallPolicy {
  readonly label: string;
  readonly counters: CacheCounters;
  readonly ttlMs: number;
  readonly unless: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  /** Decorated methods must return a promise: callers of the method expect one. */
  readonly requirePromise: boolean;
}

type Loader = (this: unknown, ...args: unknown[]) => unknown;
type Read = StoreRead<CacheRecord>;

let defaultCache: Cache | undefined;

/** The cache decorators use when none is named: the first one created, or the one set here. */
export function setDefaultCache(cache: Cache | undefined): void {
  if (cache !== undefined && !(cache instanceof Cache)) {
    throw new CacheOptionsError(`setDefaultCache: expected a Cache made by createCache() or undefined; got ${describe(cache)}`);
  }
  defaultCache = cache;
}

/** The current default cache, if any. */
export function getDefaultCache(): Cache | undefined {
  return defaultCache;
}

/**
 * Creates a cache. The first one created becomes the default for decorators.
 *
 * @example
 * const cache = createCache({ store: memoryStore({ maxEntries: 10_000 }), namespace: 'shop', ttl: '5m' });
 */
export function createCache(options: CacheOptions): Cache {
  const cache = new Cache(resolveCacheOptions(options));
  if (defaultCache === undefined || options.setAsDefault === true) defaultCache = cache;
  return cache;
}

// Labels of the direct API in stats().byMethod. '#' cannot appear in a method or
// function label, so these never mix with a user's.
const GET_LABEL = '#get';
const SET_LABEL = '#set';
const WRAP_LABEL = '#wrap';

const WRAP_OPTIONS: { [K in keyof Required<WrapOptions>]: true } = { ttl: true, tags: true, unless: true, name: true };
const SET_OPTIONS: { [K in keyof Required<SetOptions>]: true } = { ttl: true, tags: true };
const INVALIDATE_OPTIONS: { [K in keyof Required<InvalidateOptions>]: true } = { mode: true };

/** The cache facade. Made by {@link createCache}. */
export class Cache {
  /** Prefix of this cache's keys and tags. */
  readonly namespace: string;
  /** @internal */ readonly options: ResolvedCacheOptions;
  readonly #store;
  readonly #flights = new SingleFlight();
  readonly #stats = new Stats();
  readonly #events = new Emitter();
  readonly #limits: DecodeLimits;
  readonly #namespaceTags: readonly string[];
  readonly #policies = new Map<string, CallPolicy>();
  readonly #owners = new Map<string, unknown>();
  readonly #sharedVersions = new WeakMap<readonly string[], readonly number[]>();
  #closed = false;

  /** @internal Use {@link createCache}. */
  constructor(options: ResolvedCacheOptions) {
    this.options = options;
    this.namespace = options.namespace;
    this.#store = options.store;
    this.#limits = { maxPayloadBytes: options.maxPayloadBytes };
    this.#namespaceTags = Object.freeze([namespaceTagId(options.namespace)]);
  }

  // ---- public API -------------------------------------------------------------------

  /**
   * Returns the cached value for `key`, or runs `loader` once (per process, however many
   * callers wait) and caches its result. A rejected loader is not cached; its error
   * reaches every waiting caller unchanged.
   *
   * @example
   * const user = await cache.wrap(`user:${id}`, () => db.users.find(id), { ttl: '1m', tags: [`user:${id}`] });
   */
  wrap<T>(key: string, loader: () => T | Promise<T>, options: WrapOptions<T> = {}): Promise<T> {
    try {
      rejectUnknown('wrap', options, WRAP_OPTIONS);
      const storageKey = this.#userKey(key, 'wrap');
      const tags = this.tagIds(options.tags, 'wrap: `tags`');
      const ttlMs = options.ttl === undefined ? this.options.ttlMs : this.#ttl(options.ttl, 'wrap: `ttl`');
      if (options.unless !== undefined && typeof options.unless !== 'function') {
        throw new CacheOptionsError(`wrap: \`unless\` must be a function of the value; got ${describe(options.unless)}`);
      }
      const policy = this.policy(options.name ?? WRAP_LABEL, ttlMs, options.unless as CallPolicy['unless'], false);
      return this.call(storageKey, tags, policy, loader as Loader, undefined, []) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The fresh value under `key`, or `undefined`. Use {@link getEntry} to tell a cached `undefined` from a miss. */
  async get<T = unknown>(key: string | EntryRef): Promise<T | undefined> {
    const entry = await this.#fresh(this.storageKey(key, 'get'), true);
    return entry?.value as T | undefined;
  }

  /** The fresh entry under `key` with its metadata, or `undefined` on a miss. */
  async getEntry<T = unknown>(key: string | EntryRef): Promise<CacheEntryInfo<T> | undefined> {
    const found = await this.#fresh(this.storageKey(key, 'getEntry'), false);
    if (found === undefined) return undefined;
    const prefix = `${this.namespace}#`;
    return {
      value: found.value as T,
      storedAt: found.storedAt,
      expiresAt: found.expiresAt,
      tags: found.tags.filter((tag) => tag.length > prefix.length).map((tag) => tag.slice(prefix.length)),
      etag: found.etag,
    };
  }

  /**
   * Stores `value` under `key`, unconditionally. Unlike reads, a store failure here
   * rejects (after being counted and emitted): the caller asked for the write.
   */
  async set<T>(key: string, value: T, options: SetOptions = {}): Promise<void> {
    rejectUnknown('set', options, SET_OPTIONS);
    const storageKey = this.#userKey(key, 'set');
    const tags = this.tagIds(options.tags, 'set: `tags`');
    const ttlMs = options.ttl === undefined ? this.options.ttlMs : this.#ttl(options.ttl, 'set: `ttl`');
    const policy = this.policy(SET_LABEL, ttlMs, undefined, false);
    let states: readonly TagState[];
    try {
      states = await this.#store.readTags(tags);
    } catch (error) {
      this.#storeError(error, storageKey, policy);
      throw error;
    }
    await this.#write(storageKey, value, tags, states.map((state) => state.version), undefined, policy, true);
  }

  /**
   * Deletes entries by key, or by a cached method and its arguments (see `methodKey`).
   * When it resolves, no reader gets the old value, and a load that began before it is
   * not written after it.
   */
  async delete(...keys: Array<string | EntryRef>): Promise<void> {
    const storageKeys = keys.map((key) => this.storageKey(key, 'delete'));
    this.#flights.invalidate();
    await this.#invalidation(() => this.#store.delete(storageKeys), storageKeys[0]);
    this.#emit('invalidate', { tags: [], keys: storageKeys, mode: 'delete' });
  }

  /**
   * Invalidates every entry carrying any of `tags`, in O(1) per tag whatever the number
   * of entries. When it resolves, no reader gets an invalidated value as fresh (P1), and a
   * load that began before it is never served as fresh after it (P2).
   */
  async invalidateTags(tags: readonly string[], options: InvalidateOptions = {}): Promise<void> {
    rejectUnknown('invalidateTags', options, INVALIDATE_OPTIONS);
    const mode = options.mode ?? 'delete';
    if (mode !== 'delete' && mode !== 'expire') {
      throw new CacheOptionsError(`invalidateTags: \`mode\` must be 'delete' or 'expire'; got ${describe(mode)}`);
    }
    if (!Array.isArray(tags)) {
      throw new CacheOptionsError(`invalidateTags: \`tags\` must be an array of non-empty strings; got ${describe(tags)}`);
    }
    const ids = this.tagIds(tags, 'invalidateTags: `tags`').slice(1);
    if (ids.length === 0) return;
    this.#flights.invalidate();
    await this.#invalidation(() => this.#store.invalidateTags(ids, mode), undefined);
    this.#emit('invalidate', { tags: ids, keys: [], mode });
  }

  /** Drops every entry of this namespace, in O(1): the namespace's own version moves on. */
  async clear(): Promise<void> {
    this.#flights.invalidate();
    await this.#invalidation(() => this.#store.invalidateTags(this.#namespaceTags, 'delete'), undefined);
    this.#emit('invalidate', { tags: this.#namespaceTags, keys: [], mode: 'delete' });
  }

  /** Hits, misses, hit rate, loads, errors and coalesced callers, in total and per method. */
  stats(): CacheStats {
    return this.#stats.snapshot();
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Closes the store (which closes only what it created itself). Calls after this run
   * their loaders uncached. If this was the default cache, there is none after.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (defaultCache === this) defaultCache = undefined;
    this.#events.clear();
    await this.#store.close();
  }

  // ---- internal, shared with the decorators ------------------------------------------

  /** @internal Tag ids of an entry: the namespace tag first, then the user's tags. */
  tagIds(tags: readonly string[] | undefined, option: string): readonly string[] {
    if (tags === undefined || tags.length === 0) {
      if (tags === undefined || Array.isArray(tags)) return this.#namespaceTags;
    }
    if (!Array.isArray(tags)) throw new CacheOptionsError(`${option} must be an array of non-empty strings; got ${describe(tags)}`);
    const ids = [this.#namespaceTags[0]!];
    for (const tag of tags) {
      if (typeof tag !== 'string' || tag.length === 0) {
        throw new CacheOptionsError(`${option} must be an array of non-empty strings; got an element ${describe(tag)}`);
      }
      ids.push(tagId(this.namespace, tag));
    }
    return ids;
  }

  /** @internal The storage key of a user key or an entry reference. */
  storageKey(key: string | EntryRef, where: string): string {
    if (typeof key === 'object' && key !== null && typeof key.storageKey === 'function') return key.storageKey(this);
    return this.#userKey(key as string, where);
  }

  /** @internal One policy per label and settings, so per-method counters are shared. */
  policy(label: string, ttlMs: number, unless: CallPolicy['unless'], requirePromise: boolean): CallPolicy {
    const id = `${label}\u0000${ttlMs}\u0000${requirePromise}`;
    let policy = this.#policies.get(id);
    if (policy === undefined || policy.unless !== unless) {
      checkTtlFitsStore(ttlMs, this.#store, `${label}: \`ttl\``);
      policy = { label, counters: this.#stats.forLabel(label), ttlMs, unless, requirePromise };
      this.#policies.set(id, policy);
    }
    return policy;
  }

  /**
   * @internal Claims a method label for one class. Two different classes with the same
   * name would otherwise share entries; the second is refused.
   */
  claimLabel(label: string, owner: unknown): void {
    const current = this.#owners.get(label);
    if (current === undefined) this.#owners.set(label, owner);
    else if (current !== owner) {
      const fix = typeof owner === 'function' && !('prototype' in owner && owner.prototype && Object.getOwnPropertyNames(owner.prototype).length > 1)
        ? 'give one of them another `name` option'
        : "give one of them @CacheConfig({ name: '…' })";
      throw new CacheOptionsError(
        `two different classes or functions use the cache key label '${label}' in namespace '${this.namespace}'; ` +
          `${fix} so their entries cannot mix`,
      );
    }
  }

  /** @internal Is this cache closed (calls bypass it)? */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * @internal The cached call: a hit answers from the store; a miss joins or starts the
   * single load for the key. The hit path allocates nothing beyond what the store returns.
   */
  call(key: string, tags: readonly string[], policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.resolve(fn.apply(self, args));
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    let read: MaybePromise<StoreRead<CacheRecord | Uint8Array>>;
    try {
      read = this.#store.read(key, tags);
    } catch (error) {
      return this.#readFailed(error, key, policy, fn, self, args);
    }
    if (isThenable(read)) {
      // One continuation decodes and decides: every extra hop costs a remote hit latency.
      return read.then(
        (result) => this.#decide(this.#records(result, key), key, tags, policy, fn, self, args),
        (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
      );
    }
    return this.#decide(this.#records(read, key), key, tags, policy, fn, self, args);
  }

  // ---- private ----------------------------------------------------------------------

  #decide(read: Read, key: string, tags: readonly string[], policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): Promise<unknown> {
    const record = read.record;
    if (record !== undefined) {
      const verdict = this.#judge(record, read.tags, tags);
      if (verdict === true) return this.#hit(record.value, key, policy);
      if (verdict === undefined) {
        // The entry was written with other tags than this caller names: read those.
        let pending: MaybePromise<readonly TagState[]>;
        try {
          pending = this.#store.readTags(record.tags);
        } catch (error) {
          return this.#readFailed(error, key, policy, fn, self, args);
        }
        return Promise.resolve(pending).then(
          (states) =>
            this.#judge(record, states, record.tags) === true
              ? this.#hit(record.value, key, policy)
              : this.#miss(read, key, tags, policy, fn, self, args),
          (error: unknown) => this.#readFailed(error, key, policy, fn, self, args),
        );
      }
    }
    return this.#miss(read, key, tags, policy, fn, self, args);
  }

  /** true: fresh; false: expired or invalidated; undefined: tags differ from those read. */
  #judge(record: CacheRecord, states: readonly TagState[], asked: readonly string[]): boolean | undefined {
    if (record.expiresAt <= this.options.clock.now()) return false;
    const tags = record.tags;
    if (tags !== asked) {
      if (tags.length !== asked.length) return undefined;
      for (let i = 0; i < tags.length; i++) if (tags[i] !== asked[i]) return undefined;
    }
    const versions = record.versions;
    for (let i = 0; i < versions.length; i++) if (states[i]?.version !== versions[i]) return false;
    return true;
  }

  #hit(value: unknown, key: string, policy: CallPolicy): Promise<unknown> {
    policy.counters.hits++;
    this.#stats.total.hits++;
    if (this.#events.has('hit')) this.#events.emit('hit', { key, label: policy.label });
    return Promise.resolve(value);
  }

  #countMiss(key: string, policy: CallPolicy): void {
    policy.counters.misses++;
    this.#stats.total.misses++;
    if (this.#events.has('miss')) this.#events.emit('miss', { key, label: policy.label });
  }

  #coalesce(joined: Promise<unknown>, key: string, policy: CallPolicy): Promise<unknown> {
    this.#countMiss(key, policy);
    policy.counters.coalesced++;
    this.#stats.total.coalesced++;
    return joined;
  }

  #miss(read: Read, key: string, tags: readonly string[], policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): Promise<unknown> {
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    this.#countMiss(key, policy);
    // The versions and generation seen *before* the loader runs are what the entry
    // records: an invalidation that lands during the load makes it stale (P2).
    const versions = this.#versionsOf(tags, read.tags);
    return this.#flights.start(key, () => this.#load(key, tags, versions, read.generation, policy, fn, self, args));
  }

  /**
   * The versions an entry records. Entries of one method with fixed tags usually record
   * the same versions, so they share one frozen array instead of holding one each.
   */
  #versionsOf(tags: readonly string[], states: readonly TagState[]): readonly number[] {
    const last = this.#sharedVersions.get(tags);
    if (last !== undefined && last.length === states.length && last.every((version, i) => states[i]?.version === version)) {
      return last;
    }
    const versions = Object.freeze(states.map((state) => state.version));
    this.#sharedVersions.set(tags, versions);
    return versions;
  }

  /** The store could not be read: run the loader (still once per key) and do not write. */
  #readFailed(error: unknown, key: string, policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): Promise<unknown> {
    this.#storeError(error, key, policy);
    const joined = this.#flights.join(key);
    if (joined !== undefined) return this.#coalesce(joined, key, policy);
    this.#countMiss(key, policy);
    return this.#flights.start(key, () => this.#load(key, [], undefined, undefined, policy, fn, self, args));
  }

  async #load(
    key: string, tags: readonly string[], versions: readonly number[] | undefined, generation: number | undefined,
    policy: CallPolicy, fn: Loader, self: unknown, args: unknown[],
  ): Promise<unknown> {
    policy.counters.loads++;
    this.#stats.total.loads++;
    let value: unknown;
    try {
      const result = fn.apply(self, args);
      if (policy.requirePromise && typeof (result as { then?: unknown } | null)?.then !== 'function') {
        throw new CacheOptionsError(
          `${policy.label} returned ${describe(result)}, not a Promise: @Cached methods must be async ` +
            '(their callers receive a Promise either way)',
        );
      }
      value = await result;
    } catch (error) {
      policy.counters.loadErrors++;
      this.#stats.total.loadErrors++;
      this.#emitError('load', error, key, policy.label);
      throw error;
    }
    if (versions !== undefined && (policy.unless === undefined || !policy.unless(value, args))) {
      await this.#write(key, value, tags, versions, generation, policy, false);
    }
    return value;
  }

  /** Writes an entry. Failures are counted and emitted, never thrown at a reader (fail-open). */
  async #write(
    key: string, value: unknown, tags: readonly string[], versions: readonly number[], generation: number | undefined,
    policy: CallPolicy, throwErrors: boolean,
  ): Promise<void> {
    const now = this.options.clock.now();
    const ttlMs = this.#jittered(policy.ttlMs);
    const record: CacheRecord = { value, storedAt: now, expiresAt: now + ttlMs, tags, versions };
    const writeOptions = { ttlMs, generation };
    let written: boolean;
    try {
      const store = this.#store;
      if (store.payload === 'live') written = await store.write(key, record, writeOptions);
      else written = await store.write(key, encodeRecord(record, this.options.serializer, this.#limits), writeOptions);
    } catch (error) {
      if (error instanceof CacheError && error.code === 'ERR_CACHE_SERIALIZE') this.#emitError('serialize', error, key, policy.label);
      else this.#storeError(error, key, policy);
      if (throwErrors) throw error;
      return;
    }
    // false: the generation check refused it (a delete landed during the load).
    if (written !== false && this.#events.has('set')) this.#events.emit('set', { key, label: policy.label, ttlMs });
  }

  /**
   * Runs an invalidation against the store. A failure is counted and emitted, then
   * rejects: the caller must know its write may still be visible. (Retrying failed
   * invalidations in the background is planned with the fault-handling work.)
   */
  async #invalidation(run: () => MaybePromise<void>, key: string | undefined): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#storeError(error, key, undefined);
      throw error;
    }
  }

  #jittered(ttlMs: number): number {
    const jitter = this.options.jitter;
    return jitter === 0 ? ttlMs : Math.max(1, ttlMs - Math.floor(this.options.random() * jitter * ttlMs));
  }

  /** Reads through the store, decoding byte payloads; a bad payload reads as a miss plus an event. */
  #read(key: string, tags: readonly string[]): MaybePromise<Read> {
    const read = this.#store.read(key, tags);
    return isThenable(read) ? read.then((result) => this.#records(result, key)) : this.#records(read, key);
  }

  /** A store's answer with its payload as a record: as it is from a live store, decoded from a byte store. */
  #records(read: StoreRead<CacheRecord | Uint8Array>, key: string): Read {
    return this.#store.payload === 'live' ? (read as Read) : this.#decode(read as StoreRead<Uint8Array>, key);
  }

  #decode(read: StoreRead<Uint8Array>, key: string): Read {
    const bytes = read.record;
    if (bytes === undefined) return read as StoreRead<never>;
    try {
      return { record: decodeRecord(bytes, this.options.serializer, this.#limits), tags: read.tags, generation: read.generation };
    } catch (error) {
      const reported = error instanceof DecodeError ? error : new DecodeError('payload could not be decoded', { cause: error });
      this.#emitError('decode', reported, key, undefined);
      return { record: undefined, tags: read.tags, generation: read.generation };
    }
  }

  /** A fresh record plus its etag, for get/getEntry. */
  async #fresh(key: string, skipEtag: boolean): Promise<(CacheRecord & { etag: string }) | undefined> {
    const policy = this.policy(GET_LABEL, this.options.ttlMs, undefined, false);
    let read: Read;
    try {
      read = await this.#read(key, this.#namespaceTags);
    } catch (error) {
      this.#storeError(error, key, policy);
      return undefined;
    }
    const record = read.record;
    let fresh = record === undefined ? false : this.#judge(record, read.tags, this.#namespaceTags);
    if (record !== undefined && fresh === undefined) {
      try {
        fresh = this.#judge(record, await this.#store.readTags(record.tags), record.tags) === true;
      } catch (error) {
        this.#storeError(error, key, policy);
        return undefined;
      }
    }
    if (record === undefined || fresh !== true) {
      this.#countMiss(key, policy);
      return undefined;
    }
    void this.#hit(undefined, key, policy);
    return { ...record, etag: skipEtag ? '' : this.#etag(record, key) };
  }

  #etag(record: CacheRecord, key: string): string {
    let bytes: Uint8Array | string;
    try {
      bytes = (this.#store.payload === 'bytes' ? this.options.serializer : jsonSerializer).encode(record.value);
    } catch {
      bytes = `${key}\u0000${record.storedAt}`; // live values that cannot be serialized
    }
    return `"${hash(bytes).slice(0, 27)}"`;
  }

  #userKey(key: unknown, where: string): string {
    if (typeof key !== 'string' || key.length === 0) {
      throw new CacheOptionsError(`${where}: key must be a non-empty string; got ${describe(key)}`);
    }
    return userKey(this.namespace, key);
  }

  #ttl(ttl: Duration, option: string): number {
    const ms = parseDuration(ttl, option);
    checkTtlFitsStore(ms, this.#store, option);
    return ms;
  }

  #storeError(error: unknown, key: string | undefined, policy: CallPolicy | undefined): void {
    if (policy !== undefined) policy.counters.storeErrors++;
    this.#stats.total.storeErrors++;
    const wrapped =
      error instanceof CacheError
        ? error
        : new StoreError(`${this.#store.name} store failed: ${(error as Error | undefined)?.message ?? String(error)}`, {
            cause: withoutArguments(error),
          });
    this.#emitError('store', wrapped, key, policy?.label);
  }

  #emitError(kind: CacheErrorKind, error: unknown, key: string | undefined, label: string | undefined): void {
    if (!this.#events.has('error')) return;
    this.#events.emit('error', { kind, error, ...(key === undefined ? {} : { key }), ...(label === undefined ? {} : { label }) });
  }

  #emit<E extends 'invalidate'>(name: E, event: Parameters<CacheListener<E>>[0]): void {
    if (this.#events.has(name)) this.#events.emit(name, event);
  }
}
