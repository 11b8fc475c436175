// A memory tier (L1) in front of a shared store (L2), kept coherent across servers by a bus.
import { randomUUID } from 'node:crypto';
import { type Bus, isBus } from './bus.js';
import { type Clock, systemClock } from './clock.js';
import { type Duration, parseDuration } from './duration.js';
import { CacheOptionsError, StoreError } from './errors.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from './options.js';
import { judge, SharedVersions, Verdict } from './policy.js';
import { type CacheRecord, type DecodeLimits, decodeRecord, encodeRecord } from './record.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import {
  type InvalidationMode,
  isThenable,
  type LiveStore,
  type MaybePromise,
  type Store,
  type StoreRead,
  type StoreReporter,
  type TagState,
  type WriteOptions,
} from './store.js';
import { isTiered, TIERED, type TieredReads } from './tiered-brand.js';
import { decodeMessage, encodeMessage, type TieredMessage, WIRE_VERSION } from './tiered-messages.js';
import { describeValue, rejectUnknownOptions } from './validate.js';

/** Options of {@link tiered}. */
export interface TieredOptions {
  /** The in-process tier: a store that keeps live values, e.g. `memoryStore({ maxEntries: 50_000 })`. */
  l1: Store;
  /** The shared tier every server reads, e.g. `redisStore({ client })`. */
  l2: Store;
  /**
   * How the servers tell each other what changed, e.g. `redisBus({ client })`. `false`
   * only for a single process (or tests): with several servers and no bus, a server
   * would serve values invalidated elsewhere until its L1 copies expire.
   */
  bus: Bus | false;
  /** The longest an L1 copy lives (never past the entry's own TTL). Default `'30s'`. */
  l1Ttl?: Duration;
  /** Names the bus channel (with the wire-format version): tiered stores on one channel coherent each other. Default `'cw'`. */
  channel?: string;
  /** Turns records into bytes for a byte L2 (the cache's `serializer` option does not apply to a tiered store). Default `jsonSerializer`. */
  serializer?: Serializer;
  /** Largest payload written to or read from L2. Default 8 MiB. */
  maxPayloadBytes?: number;
  /** The clock L1 copies are judged by: give the cache's, if you inject one. Default the system clock. */
  clock?: Clock;
}

const KNOWN: { [K in keyof Required<TieredOptions>]: true } = {
  l1: true,
  l2: true,
  bus: true,
  l1Ttl: true,
  channel: true,
  serializer: true,
  maxPayloadBytes: true,
  clock: true,
};

/** An answer not used (an asynchronous L1's): its failure must not become an unhandled rejection. */
function ignore(answer: Promise<unknown>): void {
  answer.then(undefined, () => undefined);
}

/** An L1 operation's answer, ignored when it is a promise (see {@link ignore}). */
function unless(answer: unknown): void {
  if (answer instanceof Promise) ignore(answer);
}

/** Publishers remembered for gap detection; past it, all are forgotten and L1 is resynchronised. */
const MAX_PUBLISHERS = 10_000;

/**
 * The tiered store. L1 answers fresh hits at memory speed; everything else (misses, stale
 * entries, writes, invalidations) goes to L2, which stays the source of truth. L1 holds
 * copies of entries read fresh from L2, judged by L1's own tag versions, which move on
 * every invalidation this server makes or hears of on the bus. A server that may have
 * missed a message (a gap in a publisher's sequence, a dropped subscription) stops
 * reading L1 until it is subscribed again, then empties it (P6).
 */
class TieredStore implements LiveStore, TieredReads {
  readonly name = 'tiered';
  readonly payload = 'live' as const;
  readonly [TIERED] = true;
  readonly maxTtlMs?: number;
  /** L1's capacity: what a call on this store hits without building its key (see `Store.capacity`). */
  readonly capacity?: number;
  readonly #l1: LiveStore;
  readonly #l2: Store;
  readonly #bus: Bus | undefined;
  readonly #channel: string;
  readonly #l1TtlMs: number;
  readonly #serializer: Serializer;
  readonly #limits: DecodeLimits;
  readonly #clock: Clock;
  readonly #id = randomUUID();
  #sequence = 0;
  /** Moves on with every L1 invalidation: an L2 answer that crossed one is not copied into L1. */
  #epoch = 0;
  /** Whether L1 may answer: only while subscribed with no message missed. */
  #trusted: boolean;
  readonly #lastSeen = new Map<string, number>();
  readonly #versions = new SharedVersions();
  readonly #reporters = new Set<StoreReporter>();
  #subscribed: Promise<(() => Promise<void>) | undefined> | undefined;
  #closed = false;

  constructor(options: TieredOptions) {
    this.#l1 = options.l1 as LiveStore;
    this.#l2 = options.l2;
    this.#bus = options.bus === false ? undefined : options.bus;
    this.#channel = `cachewise:${WIRE_VERSION}:${options.channel ?? 'cw'}`;
    this.#l1TtlMs = parseDuration(options.l1Ttl ?? '30s', 'tiered: `l1Ttl`');
    this.#serializer = options.serializer ?? jsonSerializer;
    this.#limits = { maxPayloadBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES };
    this.#clock = options.clock ?? systemClock;
    if (options.l2.maxTtlMs !== undefined) this.maxTtlMs = options.l2.maxTtlMs;
    if (options.l1.capacity !== undefined) this.capacity = options.l1.capacity;
    this.#trusted = this.#bus === undefined;
    if (this.#bus !== undefined) this.#subscribed = this.#subscribe(this.#bus);
  }

  // ---- reads --------------------------------------------------------------------------

  read(key: string, tags: readonly string[]): MaybePromise<StoreRead<CacheRecord>> {
    if (this.#trusted) {
      const local = this.#l1.read(key, tags);
      // (an L1 that answers asynchronously is not worth a tier: only a synchronous answer is used)
      if (!isThenable(local)) {
        const copy = local.record;
        if (copy !== undefined && judge(copy, local.tags, tags, this.#clock.now()) === Verdict.Fresh) return local;
      } else {
        ignore(local);
      }
    }
    return this.readBelow(key, tags);
  }

  /** @internal See {@link TieredReads.readFirst}: the call path judges the copy itself. */
  readFirst(key: string, tags: readonly string[]): MaybePromise<StoreRead<CacheRecord>> {
    if (this.#trusted) {
      const local = this.#l1.read(key, tags);
      if (!isThenable(local)) {
        if (local.record !== undefined) return local;
      } else {
        ignore(local);
      }
    }
    return this.readBelow(key, tags);
  }

  /** @internal See {@link TieredReads.readBelow}. */
  readBelow(key: string, tags: readonly string[]): MaybePromise<StoreRead<CacheRecord>> {
    const epoch = this.#epoch;
    const answer = this.#l2.read(key, tags);
    return isThenable(answer)
      ? answer.then((read) => this.#fromL2(read, key, tags, epoch))
      : this.#fromL2(answer, key, tags, epoch);
  }

  /** L2's answer as records; a fresh one is copied into L1 unless an invalidation crossed the read. */
  #fromL2(
    read: StoreRead<CacheRecord | Uint8Array>,
    key: string,
    tags: readonly string[],
    epoch: number,
  ): StoreRead<CacheRecord> {
    const record = this.#record(read.record, key);
    if (record === undefined) return { record: undefined, tags: read.tags, generation: read.generation };
    const now = this.#clock.now();
    if (this.#trusted && epoch === this.#epoch && judge(record, read.tags, tags, now) === Verdict.Fresh) {
      this.#copy(key, record, tags, now);
    }
    return { record, tags: read.tags, generation: read.generation };
  }

  /**
   * Copies a fresh L2 record into L1, stamped with L1's current tag versions (so the next
   * invalidation this server makes or hears of drops it) and no load time (early refresh
   * is decided on reads that reach L2, whose generation a refresh's write needs).
   */
  #copy(key: string, record: CacheRecord, tags: readonly string[], now: number): void {
    const expiresAt = Math.min(record.expiresAt, now + this.#l1TtlMs);
    if (expiresAt <= now) return;
    const states = this.#l1.readTags(tags);
    if (isThenable(states)) {
      ignore(states);
      return;
    }
    // The caller's own tag list (fresh means equal to the record's): a hit then finds the
    // very array it asks with, and copies of one method share one list of versions, as
    // entries written by loads do (decoded records bring a new array each).
    const copy: CacheRecord = {
      value: record.value,
      storedAt: record.storedAt,
      expiresAt,
      tags,
      versions: this.#versions.of(tags, states),
      delta: 0,
    };
    unless(this.#l1.write(key, copy, { ttlMs: expiresAt - now, generation: undefined }));
  }

  #record(payload: CacheRecord | Uint8Array | undefined, key: string): CacheRecord | undefined {
    if (payload === undefined || this.#l2.payload === 'live') return payload as CacheRecord | undefined;
    try {
      return decodeRecord(payload as Uint8Array, this.#serializer, this.#limits);
    } catch (error) {
      this.#report(error as Error, key);
      return undefined;
    }
  }

  readTags(tags: readonly string[]): MaybePromise<readonly TagState[]> {
    return this.#l2.readTags(tags);
  }

  versionMark(): MaybePromise<number> {
    if (this.#l2.versionMark === undefined)
      throw new StoreError(`tiered: the ${this.#l2.name} L2 store has no versionMark()`);
    return this.#l2.versionMark();
  }

  ready(): MaybePromise<void> {
    return this.#l2.ready?.();
  }

  // ---- writes and invalidations ------------------------------------------------------

  async write(key: string, record: CacheRecord, options: WriteOptions): Promise<boolean> {
    const explicit = options.generation === undefined;
    // An explicit set replaces the value: no server may go on with its copy.
    if (explicit) this.#dropKeys([key]);
    const payload = this.#l2.payload === 'live' ? record : encodeRecord(record, this.#serializer, this.#limits);
    const written = await this.#l2.write(key, payload as never, options);
    if (explicit) await this.#publish({ op: 'keys', keys: [key] });
    return written;
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.#dropKeys(keys);
    await this.#l2.delete(keys);
    await this.#publish({ op: 'keys', keys });
  }

  async invalidateTags(tags: readonly string[], mode: InvalidationMode): Promise<void> {
    this.#dropTags(tags, mode);
    await this.#l2.invalidateTags(tags, mode);
    await this.#publish({ op: 'tags', tags, mode });
  }

  #dropKeys(keys: readonly string[]): void {
    this.#epoch++;
    unless(this.#l1.delete(keys));
  }

  #dropTags(tags: readonly string[], mode: InvalidationMode): void {
    this.#epoch++;
    // L1 copies are only ever served fresh: both modes drop them (stale serving reads L2).
    unless(this.#l1.invalidateTags(tags, mode === 'expire' ? 'delete' : mode));
  }

  /**
   * Empties L1 (its versions move past every copy): after a missed message, or on
   * resubscribing. Publishers' last numbers are kept: they go on from there.
   */
  #resync(): void {
    this.#epoch++;
    unless(this.#l1.close());
  }

  // ---- the bus -----------------------------------------------------------------------

  async #publish(message: TieredMessage): Promise<void> {
    const bus = this.#bus;
    if (bus === undefined || this.#closed) return;
    // The number is taken even if sending fails: receivers then see a gap at the next one.
    const seq = ++this.#sequence;
    try {
      await bus.publish(this.#channel, encodeMessage({ from: this.#id, seq, at: this.#clock.now(), message }));
    } catch (error) {
      throw new StoreError(
        `tiered: the change reached the ${this.#l2.name} store, but the ${bus.name} bus could not announce it: ` +
          `other servers may serve their in-memory copy until it expires (l1Ttl): ${(error as Error | undefined)?.message ?? String(error)}`,
        { cause: error },
      );
    }
  }

  async #subscribe(bus: Bus): Promise<(() => Promise<void>) | undefined> {
    try {
      const unsubscribe = await bus.subscribe(this.#channel, {
        message: (text) => this.#receive(text),
        state: (receiving) => this.#state(receiving),
      });
      if (this.#closed) {
        await unsubscribe();
        return undefined;
      }
      this.#state(true);
      return unsubscribe;
    } catch (error) {
      this.#report(
        new StoreError(
          `tiered: could not subscribe to the ${bus.name} bus; the in-memory tier stays unused: ${(error as Error | undefined)?.message ?? String(error)}`,
          { cause: error },
        ),
      );
      return undefined;
    }
  }

  #state(receiving: boolean): void {
    if (receiving === this.#trusted) return;
    if (!receiving) {
      this.#trusted = false;
      this.#epoch++;
      return;
    }
    // Back: whatever was said while away is lost, so start from an empty L1.
    this.#resync();
    this.#trusted = true;
  }

  #receive(text: string): void {
    const envelope = decodeMessage(text);
    if (typeof envelope === 'string') {
      this.#report(new StoreError(`tiered: ignored a message on ${this.#channel}: ${envelope}`));
      return;
    }
    if (envelope.from === this.#id) return;
    const last = this.#lastSeen.get(envelope.from);
    if (last !== undefined && envelope.seq <= last) return; // a repeat: nothing new
    // A jump means a lost message; so does a first message past 1 from a publisher this
    // store has not heard from (it may have missed the earlier ones).
    if (envelope.seq !== (last ?? 0) + 1) this.#resync();
    if (last === undefined && this.#lastSeen.size >= MAX_PUBLISHERS) {
      this.#lastSeen.clear();
      this.#resync();
    }
    this.#lastSeen.set(envelope.from, envelope.seq);
    const message = envelope.message;
    if (message.op === 'tags') this.#dropTags(message.tags, message.mode);
    else this.#dropKeys(message.keys);
    if (envelope.at !== undefined) {
      // From the publisher's clock to the end of the drop; a clock behind the publisher's reads 0.
      const lagMs = Math.max(0, this.#clock.now() - envelope.at);
      for (const reporter of this.#reporters) reporter.busLag?.(lagMs);
    }
  }

  // ---- lifecycle ---------------------------------------------------------------------

  attach(reporter: StoreReporter): () => void {
    this.#reporters.add(reporter);
    const detach = [this.#l1.attach?.(reporter), this.#l2.attach?.(reporter), this.#bus?.attach?.(reporter)];
    return () => {
      this.#reporters.delete(reporter);
      for (const undo of detach) undo?.();
    };
  }

  #report(error: Error, key?: string): void {
    for (const reporter of this.#reporters) reporter.error(error, key);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#trusted = false;
    const unsubscribe = await this.#subscribed;
    await Promise.allSettled([unsubscribe?.(), this.#l1.close(), this.#l2.close(), this.#bus?.close?.()]);
  }
}

function isStoreLike(value: unknown): value is Store {
  return (
    typeof value === 'object' &&
    value !== null &&
    ((value as Store).payload === 'live' || (value as Store).payload === 'bytes') &&
    typeof (value as Store).read === 'function'
  );
}

/**
 * A tiered store: memory-speed hits from an in-process L1, a shared L2 as the source of
 * truth, and a bus that tells every server what another changed.
 *
 * @example
 * const cache = createCache({
 *   store: tiered({ l1: memoryStore({ maxEntries: 50_000 }), l2: redisStore({ client }),
 *                   bus: redisBus({ client }), l1Ttl: '30s' }),
 * });
 */
export function tiered(options: TieredOptions): LiveStore {
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(`tiered: options must be an object with l1, l2 and bus; got ${describeValue(options)}`);
  }
  rejectUnknownOptions('tiered', options, KNOWN);
  if (!isStoreLike(options.l1) || options.l1.payload !== 'live') {
    throw new CacheOptionsError(
      `tiered: \`l1\` must be a store that keeps live values, e.g. memoryStore(); got ${describeValue(options.l1)}`,
    );
  }
  if (isTiered(options.l1) || isTiered(options.l2)) {
    throw new CacheOptionsError('tiered: `l1` and `l2` must be plain stores, not tiered ones');
  }
  if (!isStoreLike(options.l2)) {
    throw new CacheOptionsError(
      `tiered: \`l2\` must be a Store, e.g. redisStore({ client }); got ${describeValue(options.l2)}`,
    );
  }
  if (options.l1 === options.l2) throw new CacheOptionsError('tiered: `l1` and `l2` must be two different stores');
  if (options.bus !== false && !isBus(options.bus)) {
    throw new CacheOptionsError(
      'tiered: `bus` must be a Bus, e.g. redisBus({ client }) from @cachewise/redis, or false for a single process; ' +
        `got ${describeValue(options.bus)}`,
    );
  }
  if (options.channel !== undefined && !/^[\w.-]{1,100}$/.test(options.channel)) {
    throw new CacheOptionsError(
      `tiered: \`channel\` must be 1-100 letters, digits, '_', '-' or '.'; got ${describeValue(options.channel)}`,
    );
  }
  if (options.serializer !== undefined && typeof options.serializer?.encode !== 'function') {
    throw new CacheOptionsError('tiered: `serializer` must have encode(value) and decode(bytes) functions');
  }
  const max = options.maxPayloadBytes;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 64)) {
    throw new CacheOptionsError(
      `tiered: \`maxPayloadBytes\` must be a whole number of bytes, at least 64; got ${describeValue(max)}`,
    );
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw new CacheOptionsError('tiered: `clock` must have a now() function returning milliseconds');
  }
  return new TieredStore(options);
}
