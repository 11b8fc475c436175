import { StoreError } from '@cachewise/core';
import type {
  ByteStore,
  InvalidationMode,
  StoreRead,
  StoreReporter,
  TagState,
  WriteOptions,
} from '@cachewise/core/store';
import type { Cluster, Redis } from 'ioredis';
import { asPayload, type Bulk, parseGeneration, parseTag, replyStrings } from './bookkeeping.js';
import { closeOwnedClient, createOwnedClient, Readiness } from './client.js';
import { EVICTION_POLICY_CODE, warnEvictionPolicy, watchEvictionPolicy } from './eviction-policy.js';
import { type RedisStoreOptions, resolveRedisOptions } from './options.js';
import { ReadBatch } from './read-batch.js';
import { DELETE, ENSURE, INVALIDATE_TAGS, type Script, SET, TOUCH_TAGS, VERSION_MARK, WRITE } from './scripts.js';

type Client = Redis | Cluster;
/** Buffer-returning script commands: present on Redis, Cluster and ioredis-mock, missing from ioredis's types. */
interface ScriptCommands {
  evalshaBuffer(sha: string, numKeys: number, ...args: Array<string | Buffer>): Promise<unknown>;
  evalBuffer(source: string, numKeys: number, ...args: Array<string | Buffer>): Promise<unknown>;
}
/** How many tags may wait for a TTL renewal at once; past it, a later read asks again. */
const MAX_TOUCHING = 1_000;

/**
 * The Redis store. Key layout, with `P` the prefix:
 * - `P{<key>}:e` the entry's payload, `P{<key>}:g` its generation: one slot per entry;
 * - `P{Ptags}:<tag>` a tag's versions: every tag in one slot, so a Cluster reads all of
 *   an entry's tags with one MGET and invalidates any number of tags with one script.
 *
 * Single node: a read is one MGET (entry + generation + tags), so a hit costs one round
 * trip and no script. Cluster: the entry's MGET and the tags' MGET go out in parallel.
 *
 * Bookkeeping that a read finds missing (never created, expired, evicted, flushed, lost
 * in a restart or a failover) is created by a script with a new value from the server's
 * clock before the read answers: "missing" is never read as an old state, so nothing
 * that recorded an older state can pass for fresh after Redis lost data.
 */
class RedisStore implements ByteStore {
  readonly name = 'redis';
  readonly payload = 'bytes' as const;
  readonly maxTtlMs: number;
  readonly #client: Client;
  readonly #scripts: ScriptCommands;
  /** Single node: reads issued together leave together (see ReadBatch). */
  readonly #reads: ReadBatch | undefined;
  readonly #owned: boolean;
  /** Explicit writes and invalidations wait for a client that is not connected yet. */
  readonly #ready: Readiness;
  readonly #cluster: boolean;
  readonly #prefix: string;
  readonly #tagPrefix: string;
  readonly #generationTtlMs: string;
  readonly #bookkeepingTtlMs: string;
  /** A tag key is renewed when its TTL was set longer ago than this (seconds). */
  readonly #renewAfterSec: number;
  /** ENSURE scripts on their way, by their keys: joined by callers that need the same (in flight only). */
  readonly #ensuring = new Map<string, Promise<string[]>>();
  /** Tag keys whose renewal is on its way (bounded by MAX_TOUCHING). */
  readonly #touching = new Set<string>();
  /** Server clock minus this process's clock, in seconds, from the last script that told it. */
  #clockOffsetSec = 0;
  /** The caches attached to this store: where problems found outside a call are reported. */
  readonly #reporters = new Set<StoreReporter>();
  /** What the store found about the server (an unsafe eviction policy), told to caches that attach later too. */
  readonly #findings: StoreError[] = [];
  readonly #stopWatching: () => void;

  constructor(options: RedisStoreOptions) {
    const resolved = resolveRedisOptions(options);
    this.#owned = options.client === undefined;
    this.#client =
      options.client ?? createOwnedClient(options.url!, options.clientOptions, (error) => this.#report(error));
    this.#ready = new Readiness(this.#client, resolved.readyTimeoutMs);
    this.#scripts = this.#client as unknown as ScriptCommands;
    this.#cluster = (this.#client as { isCluster?: boolean }).isCluster === true;
    this.#reads = this.#cluster ? undefined : new ReadBatch(this.#client as Redis);
    this.#prefix = resolved.prefix;
    this.#tagPrefix = `${resolved.prefix}{${resolved.prefix}tags}:`;
    this.maxTtlMs = resolved.maxTtlMs;
    this.#generationTtlMs = String(resolved.generationTtlMs);
    // A tag key outlives every entry that recorded its version (the longest TTL plus the
    // longest load), and is renewed while read. Correctness does not rest on it: a lost
    // tag comes back with a new version. Hit rate does: its entries would read stale.
    this.#bookkeepingTtlMs = String(resolved.maxTtlMs + resolved.generationTtlMs);
    this.#renewAfterSec = Math.max(1, Math.floor(resolved.generationTtlMs / 2_000));
    this.#stopWatching = watchEvictionPolicy(this.#client, (finding, policy) => this.#found(finding, policy));
  }

  read(key: string, tags: readonly string[]): Promise<StoreRead<Uint8Array>> {
    const keys = [this.#entryKey(key), this.#generationKey(key)];
    for (const tag of tags) keys.push(this.#tagPrefix + tag);
    // Single node: one MGET, the entry, its generation and its tags, in one round trip.
    if (!this.#cluster) return this.#reads!.mget(keys).then((values) => this.#answer(keys, values));
    return this.#readCluster(keys, tags.length);
  }

  async #readCluster(keys: string[], tagCount: number): Promise<StoreRead<Uint8Array>> {
    // The entry's keys share a slot, and all tags share another: two MGETs, in parallel.
    const [entry, states] = await Promise.all([
      this.#client.mgetBuffer(keys[0]!, keys[1]!) as Promise<Bulk[]>,
      tagCount === 0 ? [] : (this.#client.mgetBuffer(...keys.slice(2)) as Promise<Bulk[]>),
    ]);
    return this.#answer(keys, [...entry, ...states]);
  }

  /** A read's answer from its MGET replies (entry, generation, tags), once all bookkeeping exists. */
  #answer(keys: string[], values: Bulk[], ensured = false): StoreRead<Uint8Array> | Promise<StoreRead<Uint8Array>> {
    const generation = parseGeneration(values[1]);
    const tags = this.#tagStates(keys, values, 2);
    if (generation === undefined || tags === undefined) {
      if (ensured) throw new StoreError('redis store: bookkeeping could not be read after it was created');
      return this.#ensure(keys, values, 2).then(() => this.#answer(keys, values, true));
    }
    return { record: asPayload(values[0]), generation, tags };
  }

  async readTags(tags: readonly string[]): Promise<readonly TagState[]> {
    if (tags.length === 0) return [];
    const keys = tags.map((tag) => this.#tagPrefix + tag);
    const values = (await this.#client.mgetBuffer(...keys)) as Bulk[];
    let states = this.#tagStates(keys, values, 0);
    if (states !== undefined) return states;
    await this.#ensure(keys, values, 0);
    states = this.#tagStates(keys, values, 0);
    if (states === undefined) throw new StoreError('redis store: bookkeeping could not be read after it was created');
    return states;
  }

  /**
   * Tag states from the replies at `first` on, or undefined if one is missing. Tags whose
   * TTL was set long ago are renewed in the background, so a tag read all the time never
   * expires (and takes every entry it guards with it); a tag nobody reads may.
   */
  #tagStates(keys: string[], values: Bulk[], first: number): TagState[] | undefined {
    const states = new Array<TagState>(values.length - first);
    let renew: string[] | undefined;
    let now = 0;
    for (let i = first; i < values.length; i++) {
      const state = parseTag(values[i]);
      if (state === undefined) return undefined;
      states[i - first] = state;
      if (now === 0) now = Date.now() / 1000 + this.#clockOffsetSec;
      if (now - state.refreshedAt > this.#renewAfterSec) {
        renew ??= [];
        renew.push(keys[i]!);
      }
    }
    if (renew !== undefined) this.#renew(renew);
    return states;
  }

  /**
   * Creates the missing or unreadable generation (at 1, when `first` is 2) and tags (from
   * `first` on), and puts their current values into `values`. Single node: one script.
   * Cluster: the generation in the entry's slot and the tags in the tags' slot, in parallel.
   */
  async #ensure(keys: string[], values: Bulk[], first: number): Promise<void> {
    const missingTags: number[] = [];
    for (let i = first; i < values.length; i++) if (parseTag(values[i]) === undefined) missingTags.push(i);
    const withGeneration = first === 2 && parseGeneration(values[1]) === undefined;
    const run = async (pairs: number, at: number[]): Promise<void> => {
      const scriptKeys = pairs === 1 ? [keys[0]!, keys[1]!] : [];
      for (const i of at) scriptKeys.push(keys[i]!);
      const places = pairs === 1 ? [1, ...at] : at;
      const reply = await this.#ensureOnce(scriptKeys, pairs, places.length);
      for (const [j, place] of places.entries()) values[place] = reply[j] ?? null;
    };
    if (!this.#cluster) {
      await run(withGeneration ? 1 : 0, missingTags);
      return;
    }
    await Promise.all([
      withGeneration ? run(1, []) : undefined,
      missingTags.length > 0 ? run(0, missingTags) : undefined,
    ]);
  }

  /**
   * One ENSURE script per set of keys at a time: the callers of a cold key all find its
   * bookkeeping missing at once, and share the script the first of them sent rather than
   * sending one each. Sharing is safe: a caller whose read found a key missing sent that
   * read before the script (on the key's node connection, commands run in order), so the
   * script's answer is at least as recent as its read; and a value it answers that is
   * lost again later is refused or read stale like any other.
   */
  #ensureOnce(scriptKeys: string[], pairs: number, answers: number): Promise<string[]> {
    const id = `${pairs}\n${scriptKeys.join('\n')}`;
    const running = this.#ensuring.get(id);
    if (running !== undefined) return running;
    const marked = scriptKeys.length > pairs * 2;
    const keys = marked ? [...scriptKeys, this.#markKey] : scriptKeys;
    const args = [String(pairs), this.#generationTtlMs, this.#bookkeepingTtlMs, marked ? '1' : '0'];
    const ensured = this.#eval(ENSURE, keys, args).then((reply) => {
      const strings = replyStrings(reply);
      this.#serverSeconds(strings[answers]);
      this.#repaired(strings.slice(answers + 1));
      return strings;
    });
    this.#ensuring.set(id, ensured);
    const done = (): void => {
      this.#ensuring.delete(id);
    };
    ensured.then(done, done);
    return ensured;
  }

  /** Renews tag keys' TTLs (never recreating one), off the caller's path. */
  #renew(keys: string[]): void {
    const due = keys.filter((key) => !this.#touching.has(key) && this.#touching.size < MAX_TOUCHING);
    if (due.length === 0) return;
    for (const key of due) this.#touching.add(key);
    this.#eval(TOUCH_TAGS, due, [this.#bookkeepingTtlMs])
      .then(
        (reply) => {
          const strings = replyStrings(reply);
          this.#serverSeconds(strings[0]);
          this.#repaired(strings.slice(1));
        },
        (error: unknown) =>
          this.#report(
            new StoreError(
              `redis store could not renew tag keys: ${(error as Error | undefined)?.message ?? String(error)}`,
            ),
          ),
      )
      .finally(() => {
        for (const key of due) this.#touching.delete(key);
      });
  }

  #serverSeconds(seconds: string | undefined): void {
    const value = Number(seconds);
    if (Number.isFinite(value) && value > 0) this.#clockOffsetSec = value - Date.now() / 1000;
  }

  ready(): Promise<void> {
    return this.#ready.wait('cache.set()');
  }

  async write(key: string, payload: Uint8Array, options: WriteOptions): Promise<boolean> {
    // cache.set() waits for the client; a write after a load fails open at once instead.
    if (options.generation === undefined) await this.#ready.wait('cache.set()');
    const bytes = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const ttl = String(Math.max(1, Math.ceil(options.ttlMs)));
    const keys = [this.#entryKey(key), this.#generationKey(key)];
    if (options.generation === undefined) {
      this.#repaired(replyStrings(await this.#eval(SET, keys, [bytes, ttl, this.#generationTtlMs])));
      return true;
    }
    return Number(await this.#eval(WRITE, keys, [bytes, ttl, String(options.generation)])) === 1;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#ready.wait('a delete');
    const pairs = (key: string) => [this.#entryKey(key), this.#generationKey(key)];
    if (!this.#cluster) {
      this.#repaired(replyStrings(await this.#eval(DELETE, keys.flatMap(pairs), [this.#generationTtlMs])));
      return;
    }
    // Each entry's pair shares a slot; different entries may not.
    const replies = await Promise.all(keys.map((key) => this.#eval(DELETE, pairs(key), [this.#generationTtlMs])));
    for (const reply of replies) this.#repaired(replyStrings(reply));
  }

  async invalidateTags(tags: readonly string[], mode: InvalidationMode): Promise<void> {
    if (tags.length === 0) return;
    await this.#ready.wait('a tag invalidation');
    const keys = tags.map((tag) => this.#tagPrefix + tag);
    keys.push(this.#markKey);
    const reply = await this.#eval(INVALIDATE_TAGS, keys, [mode, this.#bookkeepingTtlMs]);
    this.#repaired(replyStrings(reply));
  }

  /**
   * Where versions stand now (the tags' primary's clock, in microseconds): for
   * `resultTags`. A result tag created after it (never read before) also reaches it, so
   * the first load naming a new tag is not cached; the next one is.
   */
  async versionMark(): Promise<number> {
    const reply = await this.#eval(VERSION_MARK, [this.#markKey], [this.#bookkeepingTtlMs]);
    const mark = Number(String(reply));
    if (!Number.isSafeInteger(mark)) throw new StoreError('redis store: the server answered no version mark');
    return mark;
  }

  attach(reporter: StoreReporter): () => void {
    this.#reporters.add(reporter);
    // A finding made before this cache existed: told once its creator could listen.
    if (this.#findings.length > 0) {
      queueMicrotask(() => {
        if (!this.#reporters.has(reporter)) return;
        for (const finding of this.#findings) {
          reporter.warn?.(finding.message, EVICTION_POLICY_CODE);
          reporter.error(finding);
        }
      });
    }
    return () => this.#reporters.delete(reporter);
  }

  /** Reports a problem the store found on its own (never with values or connection options). */
  #report(error: Error, key?: string): void {
    for (const reporter of this.#reporters) reporter.error(error, key);
  }

  /** An unsafe eviction policy: to the loggers of the caches that have one, else a process warning. */
  #found(finding: StoreError, policy: string): void {
    this.#findings.push(finding);
    let logged = false;
    for (const reporter of this.#reporters) if (reporter.warn?.(finding.message, EVICTION_POLICY_CODE)) logged = true;
    if (!logged) warnEvictionPolicy(finding, policy);
    this.#report(finding);
  }

  /** Keys a script found holding data the store never wrote, and replaced. */
  #repaired(keys: readonly string[]): void {
    for (const key of keys) {
      this.#report(
        new StoreError(
          `redis store repaired ${key}: it held data the store did not write (another type or shape); ` +
            'it now holds new bookkeeping, so entries it guarded read as stale',
        ),
      );
    }
  }

  async close(): Promise<void> {
    this.#stopWatching();
    this.#ready.close();
    if (this.#owned) await closeOwnedClient(this.#client as Redis);
  }

  /** The highest tag version or mark handed out, in the tags' slot (no tag id is `mark`: ids hold '#'). */
  get #markKey(): string {
    return `${this.#tagPrefix}mark`;
  }

  #entryKey(key: string): string {
    return `${this.#prefix}{${key}}:e`;
  }

  #generationKey(key: string): string {
    return `${this.#prefix}{${key}}:g`;
  }

  /** EVALSHA, falling back to EVAL once on a node that has not seen the script. */
  async #eval(script: Script, keys: string[], args: Array<string | Buffer>): Promise<unknown> {
    try {
      return await this.#scripts.evalshaBuffer(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error;
      return this.#scripts.evalBuffer(script.source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * A store on Redis, for caches shared by many processes: single node, Sentinel or
 * Cluster, through your ioredis client.
 *
 * @example
 * import { Redis } from 'ioredis';
 * const cache = createCache({ store: redisStore({ client: new Redis(process.env.REDIS_URL) }) });
 */
export function redisStore(options: RedisStoreOptions): ByteStore {
  return new RedisStore(options);
}
