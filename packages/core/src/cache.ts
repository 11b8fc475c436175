import type { CacheEntryInfo, EntryRef, InvalidateOptions, SetOptions, WrapOptions } from './cache-options.js';
import { type Duration, parseDuration } from './duration.js';
import { type CallPolicy, Engine, type Loader, type PolicySettings } from './engine.js';
import { CacheOptionsError } from './errors.js';
import { type CacheEventName, type CacheListener, Emitter } from './events.js';
import { graceOf, resolveFreshness } from './freshness.js';
import { BuiltKeys, namespaceTagId, tagId, tagOfId, userKey } from './keys.js';
import { type CacheOptions, checkTtlFitsStore, type ResolvedCacheOptions, resolveCacheOptions } from './options.js';
import type { StampedeProtector } from './stampede.js';
import { type CacheStats, Stats } from './stats.js';
import type { MaybePromise, Store, TagState } from './store.js';
import { checkMode, describeValue, isCache, rejectUnknownOptions } from './validate.js';

export type { CacheEntryInfo, EntryRef, InvalidateOptions, SetOptions, WrapOptions } from './cache-options.js';
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

const WRAP_OPTIONS: { [K in keyof Required<WrapOptions>]: true } = {
  ttl: true,
  tags: true,
  resultTags: true,
  unless: true,
  name: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  earlyRefresh: true,
};
const SET_OPTIONS: { [K in keyof Required<SetOptions>]: true } = { ttl: true, tags: true };
const INVALIDATE_OPTIONS: { [K in keyof Required<InvalidateOptions>]: true } = { mode: true };

/** The cache facade. Made by {@link createCache}. */
export class Cache {
  /** Prefix of this cache's keys and tags. */
  readonly namespace: string;
  /** @internal */ readonly options: ResolvedCacheOptions;
  readonly #store: Store;
  readonly #engine: Engine;
  readonly #stats: Stats;
  readonly #events = new Emitter();
  readonly #namespaceTags: readonly string[];
  /** Tag ids of recent tags: a tags function's strings are turned into ids once, not on every hit. */
  readonly #tagIds: BuiltKeys;
  /** Storage keys of recent user keys (`wrap`, `get`, `set`, `delete`). */
  readonly #userKeys: BuiltKeys;
  readonly #policies = new Map<string, CallPolicy[]>();
  readonly #owners = new Map<string, unknown>();
  readonly #detach: Array<() => void> = [];

  /** @internal Use {@link createCache}. */
  constructor(options: ResolvedCacheOptions) {
    this.options = options;
    this.namespace = options.namespace;
    this.#store = options.store;
    this.#stats = new Stats(options.maxLabels);
    this.#engine = new Engine(options, this.#stats, this.#events);
    this.#namespaceTags = Object.freeze([namespaceTagId(options.namespace)]);
    this.#tagIds = new BuiltKeys((tag) => tagId(options.namespace, tag));
    this.#userKeys = new BuiltKeys((key) => userKey(options.namespace, key));
    const protector = options.stampede;
    for (const shared of protector === undefined ? [this.#store] : [this.#store, protector]) {
      storeUsers.set(shared, (storeUsers.get(shared) ?? 0) + 1);
    }
    const detachStore = this.#store.attach?.({ error: (error, key) => this.#engine.storeError(error, key, undefined) });
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
      rejectUnknownOptions('wrap', options, WRAP_OPTIONS);
      const storageKey = this.#userKey(key, 'wrap');
      const tags = this.tagIds(options.tags, 'wrap: `tags`');
      const ttlOf = typeof options.ttl === 'function' ? (options.ttl as PolicySettings['ttlOf']) : undefined;
      const ttlMs =
        options.ttl === undefined || ttlOf !== undefined
          ? this.options.ttlMs
          : parseDuration(options.ttl, 'wrap: `ttl`');
      for (const name of ['unless', 'resultTags'] as const) {
        if (options[name] !== undefined && typeof options[name] !== 'function') {
          throw new CacheOptionsError(
            `wrap: \`${name}\` must be a function of the value; got ${describeValue(options[name])}`,
          );
        }
      }
      if (
        options.name !== undefined &&
        (typeof options.name !== 'string' || options.name.length === 0 || options.name.startsWith('#'))
      ) {
        throw new CacheOptionsError(
          `wrap: \`name\` must be a non-empty string not starting with '#'; got ${describeValue(options.name)}`,
        );
      }
      const policy = this.policy(options.name ?? WRAP_LABEL, {
        ttlMs,
        ttlOf,
        resultTags: options.resultTags as PolicySettings['resultTags'],
        freshness: resolveFreshness(options, 'wrap', this.options.freshness),
        unless: options.unless as PolicySettings['unless'],
        requirePromise: false,
      });
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
    const policy = this.policy(SET_LABEL, this.#plainSettings(ttlMs));
    let states: readonly TagState[];
    try {
      await this.#store.ready?.();
      states = await this.#store.readTags(tags);
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
   * not written after it.
   */
  async delete(...keys: Array<string | EntryRef>): Promise<void> {
    const storageKeys = keys.map((key) => this.storageKey(key, 'delete'));
    if (this.closed) return;
    await this.#invalidation(() => this.#store.delete(storageKeys), storageKeys[0]);
    this.#emit('invalidate', { tags: [], keys: storageKeys, mode: 'delete' });
  }

  /**
   * Invalidates every entry carrying any of `tags`, in O(1) per tag whatever the number
   * of entries. When it resolves, no reader gets an invalidated value as fresh (P1), and a
   * load that began before it is never served as fresh after it (P2).
   */
  async invalidateTags(tags: readonly string[], options: InvalidateOptions = {}): Promise<void> {
    rejectUnknownOptions('invalidateTags', options, INVALIDATE_OPTIONS);
    const mode = checkMode(options.mode, 'invalidateTags: `mode`');
    if (!Array.isArray(tags)) {
      throw new CacheOptionsError(
        `invalidateTags: \`tags\` must be an array of non-empty strings; got ${describeValue(tags)}`,
      );
    }
    const ids = this.tagIds(tags, 'invalidateTags: `tags`').slice(1);
    if (ids.length === 0 || this.closed) return;
    await this.#invalidation(() => this.#store.invalidateTags(ids, mode), undefined);
    this.#emit('invalidate', { tags: ids, keys: [], mode });
  }

  /** Drops every entry of this namespace, in O(1): the namespace's own version moves on. */
  async clear(): Promise<void> {
    if (this.closed) return;
    await this.#invalidation(() => this.#store.invalidateTags(this.#namespaceTags, 'delete'), undefined);
    this.#emit('invalidate', { tags: this.#namespaceTags, keys: [], mode: 'delete' });
  }

  /** Hits, misses, hit rate, loads, errors and coalesced callers, in total and per method. */
  stats(): CacheStats {
    return this.#stats.snapshot();
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
   */
  async close(): Promise<void> {
    if (this.#engine.closed) return;
    this.#engine.close();
    this.#events.clear();
    for (const detach of this.#detach) detach();
    const protector = this.options.stampede;
    for (const shared of protector === undefined ? [this.#store] : [this.#store, protector]) {
      const users = (storeUsers.get(shared) ?? 1) - 1;
      storeUsers.set(shared, users);
      if (users === 0) await shared.close?.();
    }
  }

  // ---- internal, shared with the decorators ------------------------------------------

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
   * @internal One policy per label and settings, so per-method counters are shared. Past
   * `maxLabels` labels, new labels get a policy made per call that counts in the overflow
   * row and is not kept: a `wrap` name made from data cannot grow memory.
   */
  policy(label: string, settings: PolicySettings): CallPolicy {
    // Looked up on every wrap() call: no key string is built for it.
    let policies = this.#policies.get(label);
    if (policies === undefined) {
      if (!this.#stats.hasRoomFor(label)) return this.#newPolicy(label, settings);
      policies = [];
      this.#policies.set(label, policies);
    }
    for (const policy of policies) {
      if (
        policy.ttlMs === settings.ttlMs &&
        policy.ttlOf === settings.ttlOf &&
        policy.resultTags === settings.resultTags &&
        policy.freshness === settings.freshness &&
        policy.unless === settings.unless &&
        policy.requirePromise === settings.requirePromise
      ) {
        return policy;
      }
    }
    const policy = this.#newPolicy(label, settings);
    // A wrap() with a new `unless` function on every call must not grow this without bound.
    if (policies.length >= 16) policies.shift();
    policies.push(policy);
    return policy;
  }

  #newPolicy(label: string, settings: PolicySettings): CallPolicy {
    const graceMs = graceOf(settings.freshness);
    checkTtlFitsStore(settings.ttlMs + graceMs, this.#store, `${label}: \`ttl\``);
    const user = settings.resultTags;
    if (user !== undefined && typeof this.#store.versionMark !== 'function') {
      throw new CacheOptionsError(
        `${label}: \`resultTags\` needs a store that implements versionMark() (the memory and Redis stores do); ` +
          `the ${this.#store.name} store does not`,
      );
    }
    const where = `${label}: the \`resultTags\` function's result`;
    return {
      ...settings,
      label,
      counters: this.#stats.forLabel(label),
      graceMs,
      resultTagIds:
        user === undefined
          ? undefined
          : (value, args) => {
              let tags: readonly string[];
              try {
                tags = user(value, args);
              } catch (cause) {
                throw new CacheOptionsError(`${label}: the \`resultTags\` function threw`, { cause });
              }
              return this.tagIds(tags, where).slice(1);
            },
    };
  }

  /** @internal Settings with nothing but a TTL (`set`, `get`). */
  #plainSettings(ttlMs: number): PolicySettings {
    return {
      ttlMs,
      ttlOf: undefined,
      resultTags: undefined,
      freshness: this.options.freshness,
      unless: undefined,
      requirePromise: false,
    };
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

  /**
   * Runs an invalidation against the store. A failure is counted and emitted, then
   * rejects: the caller must know its write may still be visible. (Retrying failed
   * invalidations in the background is planned with the fault-handling work.)
   */
  async #invalidation(run: () => MaybePromise<void>, key: string | undefined): Promise<void> {
    this.#engine.invalidated();
    try {
      await run();
    } catch (error) {
      this.#engine.storeError(error, key, undefined);
      throw error;
    }
  }

  #getPolicy(): CallPolicy {
    return this.policy(GET_LABEL, this.#plainSettings(this.options.ttlMs));
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
