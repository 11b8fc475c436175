import {
  UNTOUCHED_TAG, type ByteStore, type InvalidationMode, type StoreRead, type StoreReporter, type TagState, type WriteOptions,
} from '@cachewise/core';
import type { Cluster, Redis } from 'ioredis';
import { closeOwnedClient, createOwnedClient, Readiness } from './client.js';
import { resolveRedisOptions, type RedisStoreOptions } from './options.js';
import { ReadBatch } from './read-batch.js';
import { DELETE, INVALIDATE_TAGS, SET, WRITE, type Script } from './scripts.js';

type Client = Redis | Cluster;
/** Buffer-returning script commands: present on Redis, Cluster and ioredis-mock, missing from ioredis's types. */
interface ScriptCommands {
  evalshaBuffer(sha: string, numKeys: number, ...args: Array<string | Buffer>): Promise<unknown>;
  evalBuffer(source: string, numKeys: number, ...args: Array<string | Buffer>): Promise<unknown>;
}
// ioredis answers Buffers and null; ioredis-mock (for users' unit tests) may answer
// strings and false. Both are accepted.
type Bulk = Buffer | string | null | false;

/**
 * The Redis store. Key layout, with `P` the prefix:
 * - `P{<key>}:e` the entry's payload, `P{<key>}:g` its generation: one slot per entry;
 * - `P{Ptags}:<tag>` a tag's versions: every tag in one slot, so a Cluster reads all of
 *   an entry's tags with one MGET and invalidates any number of tags with one script.
 *
 * Single node: a read is one MGET (entry + generation + tags), so a hit costs one round
 * trip and no script. Cluster: the entry's MGET and the tags' MGET go out in parallel.
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
  /** The caches attached to this store: where problems found outside a call are reported. */
  readonly #reporters = new Set<StoreReporter>();

  constructor(options: RedisStoreOptions) {
    const resolved = resolveRedisOptions(options);
    this.#owned = options.client === undefined;
    this.#client = options.client ?? createOwnedClient(options.url!, options.clientOptions, (error) => this.#report(error));
    this.#ready = new Readiness(this.#client, resolved.readyTimeoutMs);
    this.#scripts = this.#client as unknown as ScriptCommands;
    this.#cluster = (this.#client as { isCluster?: boolean }).isCluster === true;
    this.#reads = this.#cluster ? undefined : new ReadBatch(this.#client as Redis);
    this.#prefix = resolved.prefix;
    this.#tagPrefix = `${resolved.prefix}{${resolved.prefix}tags}:`;
    this.maxTtlMs = resolved.maxTtlMs;
    this.#generationTtlMs = String(resolved.generationTtlMs);
    // A tag's versions must outlive every entry written before its invalidation, including
    // one whose load straddled it: the longest TTL plus the longest guarded load.
    this.#bookkeepingTtlMs = String(resolved.maxTtlMs + resolved.generationTtlMs);
  }

  read(key: string, tags: readonly string[]): Promise<StoreRead<Uint8Array>> {
    const keys = [this.#entryKey(key), this.#generationKey(key)];
    if (!this.#cluster) {
      // One MGET: the entry, its generation and its tags, in one round trip.
      for (const tag of tags) keys.push(this.#tagPrefix + tag);
      return this.#reads!.mget(keys).then((values) => ({
        record: asPayload(values[0]!),
        generation: parseGeneration(values[1]!),
        tags: parseTags(values, tags.length, 2),
      }));
    }
    return this.#readCluster(keys, tags);
  }

  async #readCluster(keys: string[], tags: readonly string[]): Promise<StoreRead<Uint8Array>> {
    // The entry's keys share a slot, and all tags share another: two MGETs, in parallel.
    const [[payload, generation], states] = await Promise.all([
      this.#client.mgetBuffer(...keys) as Promise<Bulk[]>,
      this.#mget(tags),
    ]);
    return { record: asPayload(payload!), generation: parseGeneration(generation!), tags: parseTags(states, tags.length, 0) };
  }

  async readTags(tags: readonly string[]): Promise<readonly TagState[]> {
    return parseTags(await this.#mget(tags), tags.length, 0);
  }

  ready(): Promise<void> {
    return this.#ready.wait('cache.set()');
  }

  async write(key: string, payload: Uint8Array, options: WriteOptions): Promise<boolean> {
    // cache.set() waits for the client; a write after a load fails open at once instead.
    if (options.generation === undefined) await this.#ready.wait('cache.set()');
    const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const ttl = String(Math.max(1, Math.ceil(options.ttlMs)));
    const keys = [this.#entryKey(key), this.#generationKey(key)];
    if (options.generation === undefined) {
      await this.#eval(SET, keys, [bytes, ttl, this.#generationTtlMs]);
      return true;
    }
    return Number(await this.#eval(WRITE, keys, [bytes, ttl, String(options.generation)])) === 1;
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#ready.wait('a delete');
    const pairs = (key: string) => [this.#entryKey(key), this.#generationKey(key)];
    if (!this.#cluster) {
      await this.#eval(DELETE, keys.flatMap(pairs), [this.#generationTtlMs]);
      return;
    }
    // Each entry's pair shares a slot; different entries may not.
    await Promise.all(keys.map((key) => this.#eval(DELETE, pairs(key), [this.#generationTtlMs])));
  }

  async invalidateTags(tags: readonly string[], mode: InvalidationMode): Promise<void> {
    if (tags.length === 0) return;
    await this.#ready.wait('a tag invalidation');
    await this.#eval(INVALIDATE_TAGS, tags.map((tag) => this.#tagPrefix + tag), [mode, this.#bookkeepingTtlMs]);
  }

  attach(reporter: StoreReporter): () => void {
    this.#reporters.add(reporter);
    return () => this.#reporters.delete(reporter);
  }

  /** Reports a problem the store found on its own (never with values or connection options). */
  #report(error: Error, key?: string): void {
    for (const reporter of this.#reporters) reporter.error(error, key);
  }

  async close(): Promise<void> {
    this.#ready.close();
    if (this.#owned) await closeOwnedClient(this.#client as Redis);
  }

  #entryKey(key: string): string {
    return `${this.#prefix}{${key}}:e`;
  }

  #generationKey(key: string): string {
    return `${this.#prefix}{${key}}:g`;
  }

  async #mget(tags: readonly string[]): Promise<Bulk[]> {
    if (tags.length === 0) return [];
    return (await this.#client.mgetBuffer(...tags.map((tag) => this.#tagPrefix + tag))) as Bulk[];
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

function asPayload(value: Bulk): Uint8Array | undefined {
  if (value === null || value === false) return undefined;
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function parseGeneration(value: Bulk): number {
  return value === null || value === false ? 0 : Number(value.toString());
}

/** Tag states from `count` MGET replies starting at `offset`. */
function parseTags(values: Bulk[], count: number, offset: number): TagState[] {
  const states = new Array<TagState>(count);
  for (let i = 0; i < count; i++) {
    const value = values[offset + i];
    if (value === null || value === undefined || value === false) {
      states[i] = UNTOUCHED_TAG;
      continue;
    }
    const text = value.toString();
    const space = text.indexOf(' ');
    states[i] = { version: Number(text.slice(0, space)), hardVersion: Number(text.slice(space + 1)) };
  }
  return states;
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
