import type {
  CacheEntryInfo,
  DeleteOptions,
  EntryRef,
  InvalidateOptions,
  SetOptions,
  WrapOptions,
} from './cache-options.js';
import type { Clock } from './clock.js';
import { type Duration, parseDuration } from './duration.js';
import { type CallPolicy, Engine, type Loader, type PolicySettings } from './engine.js';
import { CacheOptionsError } from './errors.js';
import { type CacheEventName, type CacheListener, Emitter } from './events.js';
import { closeWithin } from './guarded-store.js';
import { BuiltKeys, MemoBudget, namespaceTagId, tagId, tagOfId, userKeys } from './keys.js';
import { type CacheOptions, checkTtlFitsStore, type ResolvedCacheOptions, resolveCacheOptions } from './options.js';
import { Policies, WrapPolicies } from './policies.js';
import type { StampedeProtector } from './stampede.js';
import { type CacheStats, Stats } from './stats.js';
import type { Store, TagState } from './store.js';
import { checkMode, checkWhenUnreachable, describeValue, isCache, rejectUnknownOptions } from './validate.js';
import { warnFromStore } from './warnings.js';

export type {
  CacheEntryInfo,
  DeleteOptions,
  EntryRef,
  InvalidateOptions,
  SetOptions,
  UnreachableOptions,
  WrapOptions,
} from './cache-options.js';
export type { CallPolicy, PolicySettings } from './engine.js';

let defaultCache: Cache | undefined;

/**
 * How many open caches use each store: a store shared by several caches (say, two
 * namespaces on one memoryStore()) is closed with the last of them, never before.
 */
const storeUsers = new WeakMap<Store | StampedeProtector, number>();

/** The cache decorators use when none is named: the first one created, or the one set here. */
export function setDefaultCache(cache: Cache | undefined): void {
  if (cache !== undefined && !isCache(cache)) {
    throw new CacheOptionsError(
      `setDefaultCache: expected a Cache made by createCache() or undefined; got ${describeValue(cache)}`,
    );
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
  // A closed default still answers decorated calls (uncached) until a new cache replaces it.
  if (defaultCache === undefined || defaultCache.closed || options.setAsDefault === true) defaultCache = cache;
  return cache;
}

// Labels of the direct API in stats().byMethod. '#' cannot appear in a method or
// function label, so these never mix with a user's.
const GET_LABEL = '#get';
const SET_LABEL = '#set';
const WRAP_LABEL = '#wrap';

const SET_OPTIONS: { [K in keyof Required<SetOptions>]: true } = { ttl: true, tags: true };
const INVALIDATE_OPTIONS: { [K in keyof Required<InvalidateOptions>]: true } = { mode: true, whenUnreachable: true };
const DELETE_OPTIONS: { [K in keyof Required<DeleteOptions>]: true } = { whenUnreachable: true };

/** The cache facade. Made by {@link createCache}. */
export class Cache {
  /** Prefix of this cache's keys and tags. */
  readonly namespace: string;
  /** @internal */ readonly options: ResolvedCacheOptions;
  /** The store itself, for its lifecycle and what it can do; operations go through the engine's guard. */
  readonly #store: Store;
  readonly #engine: Engine;
  readonly #stats: Stats;
  readonly #events: Emitter;
  readonly #namespaceTags: readonly string[];
  /** Tag ids of recent tags: a tags function's strings are turned into ids once, not on every hit. */
  readonly #tagIds: BuiltKeys;
  /** Storage keys of recent user keys (`wrap`, `get`, `set`, `delete`). */
  readonly #userKeys: BuiltKeys;
  readonly #policies: Policies;
  readonly #wrapPolicies: WrapPolicies;
  readonly #owners = new Map<string, unknown>();
  readonly #detach: Array<() => void> = [];
  /** @internal Room for the decorators' key memos beyond their first 4,096 keys each: the store's `capacity`. */
  readonly memoBudget: MemoBudget;

  /** @internal Use {@link createCache}. */
  constructor(options: ResolvedCacheOptions) {
    this.options = options;
    this.namespace = options.namespace;
    this.#store = options.store;
    this.#stats = new Stats(options.maxLabels);
    this.#events = new Emitter(options.namespace);
    this.#engine = new Engine(options, this.#stats, this.#events);
    this.#policies = new Policies(options.store, this.#stats, options.freshness, (tags, where) =>
      this.tagIds(tags, where),
    );
    this.#wrapPolicies = new WrapPolicies(this.#policies, options.ttlMs, options.freshness, WRAP_LABEL);
    this.#namespaceTags = Object.freeze([namespaceTagId(options.namespace)]);
    this.#tagIds = new BuiltKeys((tag) => tagId(options.namespace, tag));
    this.#userKeys = new BuiltKeys(userKeys(options.namespace));
    this.memoBudget = new MemoBudget(Math.min(options.store.capacity ?? 0, MAX_MEMO_ROOM));
    const protector = options.stampede;
    for (const shared of protector === undefined ? [this.#store] : [this.#store, protector]) {
      storeUsers.set(shared, (storeUsers.get(shared) ?? 0) + 1);
    }
    const logger = options.logger;
    const detachStore = this.#store.attach?.({
      error: (error, key) => this.#engine.storeError(error, key, undefined),
      warn: (message, code) => warnFromStore(message, code, logger),
      busLag: (lagMs) => {
        if (this.#events.has('bus')) this.#events.emit('bus', { lagMs });
      },
    });
    if (detachStore !== undefined) this.#detach.push(detachStore);
    const detachProtector = protector?.attach?.({
      error: (error, key) => this.#engine.emitError('lock', error, key, undefined),
    });
    if (detachProtector !== undefined) this.#detach.push(detachProtector);
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
      const policy = this.#wrapPolicies.of(options as WrapOptions);
      const storageKey = this.#userKey(key, 'wrap');
      const tags = this.tagIds(options.tags, 'wrap: `tags`');
      return this.call(storageKey, tags, policy, loader as Loader, undefined, []) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The fresh value under `key`, or `undefined`. Use {@link getEntry} to tell a cached `undefined` from a miss. */
  async get<T = unknown>(key: string | EntryRef): Promise<T | undefined> {
    if (this.closed) return undefined;
    const entry = await this.#engine.fresh(this.storageKey(key, 'get'), this.#namespaceTags, this.#getPolicy(), false);
    return entry?.value as T | undefined;
  }

  /** The fresh entry under `key` with its metadata, or `undefined` on a miss. */
  async getEntry<T = unknown>(key: string | EntryRef): Promise<CacheEntryInfo<T> | undefined> {
    if (this.closed) return undefined;
    const found = await this.#engine.fresh(
      this.storageKey(key, 'getEntry'),
      this.#namespaceTags,
      this.#getPolicy(),
      true,
    );
    if (found === undefined) return undefined;
    return {
      value: found.value as T,
      storedAt: found.storedAt,
      expiresAt: found.expiresAt,
      tags: found.tags.flatMap((id) => tagOfId(this.namespace, id) ?? []),
      etag: found.etag,
    };
  }

  /**
   * Stores `value` under `key`, unconditionally. Unlike reads, a store failure here
   * rejects (after being counted and emitted): the caller asked for the write.
   */
  async set<T>(key: string, value: T, options: SetOptions = {}): Promise<void> {
    rejectUnknownOptions('set', options, SET_OPTIONS);
    const storageKey = this.#userKey(key, 'set');
    const tags = this.tagIds(options.tags, 'set: `tags`');
    const ttlMs = options.ttl === undefined ? this.options.ttlMs : this.#ttl(options.ttl, 'set: `ttl`');
    if (this.closed) return;
    const policy = this.policy(SET_LABEL, this.#policies.plain(ttlMs));
    let states: readonly TagState[];
    const store = this.#engine.store;
    try {
      await store.ready?.();
      states = await store.readTags(tags);
    } catch (error) {
      this.#engine.storeError(error, storageKey, policy);
      throw error;
    }
    await this.#engine.write(
      storageKey,
      value,
      tags,
      states.map((state) => state.version),
      undefined,
      policy,
      true,
      ttlMs,
      0,
    );
  }

  /**
   * Deletes entries by key, or by a cached method and its arguments (see `methodKey`).
   * When it resolves, no reader gets the old value, and a load that began before it is
   * not written after it. Options may follow the keys: `delete(key, { whenUnreachable: 'queue' })`.
   */
  delete(...keys: Array<string | EntryRef>): Promise<void>;
  delete(...keysThenOptions: [...keys: Array<string | EntryRef>, options: DeleteOptions]): Promise<void>;
  async delete(...args: Array<string | EntryRef | DeleteOptions>): Promise<void> {
    const last = args.at(-1);
    const options =
      typeof last === 'object' && last !== null && typeof (last as EntryRef).storageKey !== 'function'
        ? (args.pop() as DeleteOptions)
        : {};
    rejectUnknownOptions('delete', options, DELETE_OPTIONS);
    const when = checkWhenUnreachable(options.whenUnreachable, 'delete: `whenUnreachable`');
    const storageKeys = (args as Array<string | EntryRef>).map((key) => this.storageKey(key, 'delete'));
    if (this.closed) return;
    if (await this.#engine.invalidate({ keys: storageKeys }, when, storageKeys[0])) {
      this.#emit('invalidate', { tags: [], keys: storageKeys, mode: 'delete' });
    }
  }

  /**
   * Invalidates every entry carrying any of `tags`, in O(1) per tag whatever the number
   * of entries. When it resolves, no reader gets an invalidated value as fresh (P1), and a
   * load that began before it is never served as fresh after it (P2); with
   * `whenUnreachable: 'queue'` it may resolve once queued instead, and other processes
   * then see it when the queue is replayed.
   */
  async invalidateTags(tags: readonly string[], options: InvalidateOptions = {}): Promise<void> {
    rejectUnknownOptions('invalidateTags', options, INVALIDATE_OPTIONS);
    const mode = checkMode(options.mode, 'invalidateTags: `mode`');
    const when = checkWhenUnreachable(options.whenUnreachable, 'invalidateTags: `whenUnreachable`');
    if (!Array.isArray(tags)) {
      throw new CacheOptionsError(
        `invalidateTags: \`tags\` must be an array of non-empty strings; got ${describeValue(tags)}`,
      );
    }
    const ids = this.tagIds(tags, 'invalidateTags: `tags`').slice(1);
    if (ids.length === 0 || this.closed) return;
    if (await this.#engine.invalidate({ tags: ids, mode }, when, undefined)) {
      this.#emit('invalidate', { tags: ids, keys: [], mode });
    }
  }

  /** Drops every entry of this namespace, in O(1): the namespace's own version moves on. */
  async clear(options: DeleteOptions = {}): Promise<void> {
    rejectUnknownOptions('clear', options, DELETE_OPTIONS);
    const when = checkWhenUnreachable(options.whenUnreachable, 'clear: `whenUnreachable`');
    if (this.closed) return;
    if (await this.#engine.invalidate({ tags: this.#namespaceTags, mode: 'delete' }, when, undefined)) {
      this.#emit('invalidate', { tags: this.#namespaceTags, keys: [], mode: 'delete' });
    }
  }

  /** Hits, misses, hit rate, loads, errors and coalesced callers, in total and per method. */
  stats(): CacheStats {
    return this.#stats.snapshot(this.#engine.circuit, this.#engine.queue.size);
  }

  /**
   * The cache's source of time (createCache's `clock`): `storedAt` and `expiresAt` of
   * {@link getEntry} are on it, so code that turns them into an age or a remaining TTL
   * (`@cachewise/http`'s `Age` and `max-age`) reads `now` here.
   */
  get clock(): Clock {
    return this.options.clock;
  }

  /** False while caching is turned off (the `enabled` option, or {@link setEnabled}). */
  get enabled(): boolean {
    return this.#engine.enabled;
  }

  /**
   * Turns caching off or back on at run time, e.g. during an incident. While off, every
   * cached call runs its method (no single flight) and `get` misses; stats still count
   * (each call a miss and a load). Explicit `set`, `delete`, `invalidateTags` and `clear`
   * still reach the store, so turning it back on never serves a value invalidated meanwhile.
   *
   * @example
   * cache.setEnabled(false); // every call goes to the database, the cache is bypassed
   */
  setEnabled(enabled: boolean): void {
    if (typeof enabled !== 'boolean')
      throw new CacheOptionsError(`setEnabled: expected true or false; got ${describeValue(enabled)}`);
    this.#engine.enabled = enabled;
  }

  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends CacheEventName>(event: E, listener: CacheListener<E>): () => void {
    return this.#events.on(event, listener);
  }

  /**
   * Closes the cache. Calls after this, through every way a cache is found (the default,
   * a `cache` option, `@CacheConfig`, a function of the instance), run their methods
   * uncached, and the direct API skips the store (`get` misses; `set`, `delete`,
   * `invalidateTags` and `clear` resolve at once): close a cache when the process shuts
   * down. The store is closed with the last cache that uses it (and closes only what it
   * created itself); until then the other caches on it go on as before. A closed default
   * cache stays the default until another cache is created.
   *
   * It finishes within about twice `storeTimeout` whatever state the store is in: queued
   * invalidations get one last replay within `storeTimeout` (what is left is dropped,
   * with a `queue` event), and a store's (or stampede protector's) close that takes
   * longer goes on in the background.
   */
  async close(): Promise<void> {
    if (this.#engine.closed) return;
    this.#engine.close();
    const timeoutMs = this.options.storeTimeoutMs;
    await this.#engine.queue.close(timeoutMs);
    this.#events.clear();
    for (const detach of this.#detach) detach();
    const protector = this.options.stampede;
    const closing: Array<Promise<void>> = [];
    for (const shared of protector === undefined ? [this.#store] : [this.#store, protector]) {
      const users = (storeUsers.get(shared) ?? 1) - 1;
      storeUsers.set(shared, users);
      if (users === 0) closing.push(closeWithin(shared, timeoutMs));
    }
    await Promise.all(closing);
  }

  // ---- internal, shared with the decorators ------------------------------------------

  /** @internal Whether the store's last read answered synchronously: a second read of tags costs no round trip. */
  get readsAtOnce(): boolean {
    return this.#engine.readsAtOnce;
  }

  /** @internal Tag ids of an entry: the namespace tag first, then the user's tags. */
  tagIds(tags: readonly string[] | undefined, option: string): readonly string[] {
    if (tags === undefined) return this.#namespaceTags;
    if (!Array.isArray(tags))
      throw new CacheOptionsError(`${option} must be an array of non-empty strings; got ${describeValue(tags)}`);
    if (tags.length === 0) return this.#namespaceTags;
    // Not an array literal: V8 watches a literal's allocation site, and once a warm-up has
    // kept its arrays (entries record them) it allocates every later one, each hit's too,
    // in the old generation, where only a full collection frees it (docs/benchmarks.md).
    const ids = new Array<string>(tags.length + 1);
    ids[0] = this.#namespaceTags[0]!;
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i];
      if (typeof tag !== 'string' || tag.length === 0) {
        throw new CacheOptionsError(
          `${option} must be an array of non-empty strings; got an element ${describeValue(tag)}`,
        );
      }
      ids[i + 1] = this.#tagIds.of(tag);
    }
    return ids;
  }

  /** @internal The storage key of a user key or an entry reference. */
  storageKey(key: string | EntryRef, where: string): string {
    if (typeof key === 'object' && key !== null && typeof key.storageKey === 'function') return key.storageKey(this);
    return this.#userKey(key as string, where);
  }

  /**
   * @internal One policy per label and settings, so per-method counters are shared (see
   * {@link Policies.of}).
   */
  policy(label: string, settings: PolicySettings): CallPolicy {
    return this.#policies.of(label, settings);
  }

  /**
   * @internal Claims a method label for one class. Two different classes with the same
   * name would otherwise share entries; the second is refused.
   */
  claimLabel(label: string, owner: unknown, kind: 'class' | 'function'): void {
    const current = this.#owners.get(label);
    if (current === undefined) this.#owners.set(label, owner);
    else if (current !== owner) {
      const fix =
        kind === 'function' ? 'give one of them another `name` option' : "give one of them @CacheConfig({ name: '…' })";
      throw new CacheOptionsError(
        `two different ${kind === 'function' ? 'functions' : 'classes'} use the cache key label '${label}' in ` +
          `namespace '${this.namespace}'; ${fix} so their entries cannot mix`,
      );
    }
  }

  /** @internal Is this cache closed (calls bypass it)? */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /** @internal A cached call: see {@link Engine.call}. */
  call(
    key: string,
    tags: readonly string[],
    policy: CallPolicy,
    fn: Loader,
    self: unknown,
    args: unknown[],
  ): Promise<unknown> {
    return this.#engine.call(key, tags, policy, fn, self, args);
  }

  // ---- private ----------------------------------------------------------------------

  #getPolicy(): CallPolicy {
    return this.policy(GET_LABEL, this.#policies.plain(this.options.ttlMs));
  }

  #userKey(key: unknown, where: string): string {
    if (typeof key !== 'string' || key.length === 0) {
      throw new CacheOptionsError(`${where}: key must be a non-empty string; got ${describeValue(key)}`);
    }
    return this.#userKeys.of(key);
  }

  #ttl(ttl: Duration, option: string): number {
    const ms = parseDuration(ttl, option);
    checkTtlFitsStore(ms, this.#store, option);
    return ms;
  }

  #emit<E extends 'invalidate'>(name: E, event: Parameters<CacheListener<E>>[0]): void {
    if (this.#events.has(name)) this.#events.emit(name, event);
  }
}

/** Most keys a cache's memos take beyond their own limits: the store's capacity, up to what a Map holds. */
const MAX_MEMO_ROOM = 2 ** 24;
