import { type ExpiryParams, measureExpiry } from './expiry/measure.js';
import type { ExpirySubject } from './expiry/subject.js';
import { type MemoryHitParams, measureMemoryHit } from './memory-hit/measure.js';
import { type MemorySizeParams, measureMemorySize } from './memory-size/measure.js';
import type { Peer } from './peer.js';
import { measureRedisHit, type RedisHitParams } from './redis-hit/measure.js';
import { measureRedisInvalidate, type RedisInvalidateParams } from './redis-invalidate/measure.js';
import type { TaggedSubject } from './redis-invalidate/subject.js';
import { measureStampede, type StampedeParams } from './stampede/measure.js';
import { measureTieredBus, type TieredBusParams } from './tiered-bus/measure.js';
import type { TieredCache } from './tiered-hit/cachewise-tiered.js';
import { measureTieredHit, type TieredHitParams } from './tiered-hit/measure.js';
import { measureTieredOutage, type TieredOutageParams } from './tiered-outage/measure.js';
import type { OutageSubject } from './tiered-outage/subject.js';

/** Scenarios run together by one `bench:<family>` script and reported in one results file. */
export type Family = 'memory' | 'redis' | 'redis-invalidate' | 'stampede' | 'expiry' | 'tiered';

/** Rounds of a full run, unless `--rounds` says otherwise. */
export const DEFAULT_ROUNDS: Readonly<Record<Family, number>> = {
  memory: 5,
  redis: 5,
  'redis-invalidate': 3,
  // Each stampede process already measures 10 cold keys; each expiry process runs 10 s of load.
  stampede: 3,
  expiry: 2,
  // The hit rows; the bus and outage scenarios cap themselves at one round (Scenario.rounds).
  tiered: 5,
};

export type Params = Record<string, number>;

type PeerModule = () => Promise<{ peer: Peer<unknown> }>;

export interface Scenario {
  readonly id: string;
  readonly family: Family;
  /**
   * Peers in table order. Each is imported only in the child process that runs it, so no
   * library's code or state is loaded next to another's.
   */
  readonly peers: Readonly<Record<string, PeerModule>>;
  /** Full-run parameters. */
  readonly params: Readonly<Params>;
  /** Run as separate jobs, each merged over `params` (one per concurrency, say). */
  readonly variants: readonly Readonly<Params>[];
  /** Smaller parameters for `--quick` smoke runs. */
  readonly quick: Readonly<Params>;
  /** The orchestrator starts a private redis-server and passes its port as `redisPort`. */
  readonly needsRedis: boolean;
  /**
   * At most this many rounds for this scenario, whatever the family runs: for a scenario
   * whose one process already gathers thousands of samples (tiered-bus) or its own
   * alternating pairs (tiered-outage), where more rounds would only lengthen the run.
   */
  readonly rounds?: number;
  /** Measures a peer set up in this process; `peerId` is for scenarios that start processes of their own. */
  measure(peer: Peer<unknown>, params: Params, peerId: string): Promise<Record<string, unknown>>;
}

export const memoryHitPeers = {
  'raw-map': () => import('./memory-hit/raw-map.js'),
  'lru-cache': () => import('./memory-hit/lru-cache.js'),
  'cachewise-cached': () => import('./memory-hit/cachewise-cached.js'),
  'cachewise-cached-subscribed': () => import('./memory-hit/cachewise-cached-subscribed.js'),
  'cachewise-cached-key': () => import('./memory-hit/cachewise-cached-key.js'),
  'cachewise-cached-tags': () => import('./memory-hit/cachewise-cached-tags.js'),
  'cachewise-wrap': () => import('./memory-hit/cachewise-wrap.js'),
  'cache-manager': () => import('./memory-hit/cache-manager.js'),
  bentocache: () => import('./memory-hit/bentocache.js'),
  'type-cacheable': () => import('./memory-hit/type-cacheable.js'),
} satisfies Record<string, PeerModule>;

export const scenarios: readonly Scenario[] = [
  {
    id: 'memory-hit',
    family: 'memory',
    peers: memoryHitPeers,
    // capacity holds the larger variant's keys: every timed call is a hit (the measure checks).
    params: { keys: 1_000, ops: 200_000, passes: 7, capacity: 200_000 } satisfies MemoryHitParams,
    // A small working set and a large one: per-key work (key building, memos, cache misses in
    // the CPU) shows in the second. ops ≥ keys, so a pass touches every key.
    variants: [{ keys: 1_000 }, { keys: 100_000 }],
    quick: { ops: 20_000, passes: 3 },
    needsRedis: false,
    measure: (peer, params) => measureMemoryHit(peer as Peer, params as unknown as MemoryHitParams),
  },
  {
    id: 'memory-size',
    family: 'memory',
    peers: {
      // The payload alone: the other rows' bytes over the values are measured against it.
      'values-only': () => import('./memory-size/values-only.js'),
      'raw-map': memoryHitPeers['raw-map'],
      'lru-cache': memoryHitPeers['lru-cache'],
      // lru-cache again, with keys of the length cachewise stores (the row above: `user:<id>`).
      'lru-cache-namespaced': () => import('./memory-size/lru-cache-namespaced.js'),
      'cachewise-cached': memoryHitPeers['cachewise-cached'],
      'cachewise-cached-key': memoryHitPeers['cachewise-cached-key'],
      'cachewise-cached-tags': memoryHitPeers['cachewise-cached-tags'],
    },
    params: { entries: 100_000 } satisfies MemorySizeParams,
    variants: [{}],
    quick: { entries: 10_000 },
    needsRedis: false,
    measure: (peer, params) => measureMemorySize(peer as Peer, params as unknown as MemorySizeParams),
  },
  {
    id: 'redis-hit',
    family: 'redis',
    peers: {
      'raw-ioredis': () => import('./redis-hit/raw-ioredis.js'),
      // Skipped, with the reason, if @cachewise/redis did not build.
      cachewise: () => import('./redis-hit/cachewise.js'),
      'cachewise-key': () => import('./redis-hit/cachewise-key.js'),
      'cache-manager': () => import('./redis-hit/cache-manager.js'),
      bentocache: () => import('./redis-hit/bentocache.js'),
      'type-cacheable': () => import('./redis-hit/type-cacheable.js'),
    },
    params: { keys: 1_000, ops: 20_000, passes: 5 } satisfies Omit<RedisHitParams, 'concurrency' | 'redisPort'>,
    variants: [{ concurrency: 1 }, { concurrency: 64 }],
    quick: { ops: 2_000, passes: 1 },
    needsRedis: true,
    measure: (peer, params) => measureRedisHit(peer as Peer, params as unknown as RedisHitParams),
  },
  {
    id: 'redis-invalidate',
    family: 'redis-invalidate',
    peers: { cachewise: () => import('./redis-invalidate/cachewise.js') },
    params: { repetitions: 21, batch: 500, sample: 200 } satisfies Omit<RedisInvalidateParams, 'entries' | 'redisPort'>,
    // One process per size, so the 100k fill never shares a heap or a connection with the 1k one.
    variants: [{ entries: 1_000 }, { entries: 10_000 }, { entries: 100_000 }],
    quick: { repetitions: 5, sample: 50 },
    needsRedis: true,
    measure: (peer, params) =>
      measureRedisInvalidate(peer as Peer<TaggedSubject>, params as unknown as RedisInvalidateParams),
  },
  {
    id: 'stampede',
    family: 'stampede',
    peers: {
      cachewise: () => import('./stampede/cachewise.js'),
      'cachewise-no-lock': () => import('./stampede/cachewise-no-lock.js'),
      bentocache: () => import('./stampede/bentocache.js'),
      'cache-manager': () => import('./stampede/cache-manager.js'),
      'type-cacheable': () => import('./stampede/type-cacheable.js'),
    },
    params: { processes: 4, callers: 50, keys: 10, pauseMs: 50 } satisfies Omit<StampedeParams, 'redisPort'>,
    variants: [{}],
    quick: { keys: 3 },
    needsRedis: true,
    // The peer is set up in the worker processes the measure starts, not in this one.
    measure: (_peer, params, peerId) => measureStampede(peerId, params as unknown as StampedeParams),
  },
  {
    id: 'expiry',
    family: 'expiry',
    peers: {
      'cachewise-plain': () => import('./expiry/cachewise-plain.js'),
      'cachewise-early-refresh': () => import('./expiry/cachewise-early-refresh.js'),
      'cachewise-swr': () => import('./expiry/cachewise-swr.js'),
      'bentocache-grace': () => import('./expiry/bentocache-grace.js'),
    },
    params: { callers: 8, seconds: 10, referenceSeconds: 1 } satisfies Omit<ExpiryParams, 'redisPort'>,
    variants: [{}],
    quick: { seconds: 3, referenceSeconds: 1 },
    needsRedis: true,
    measure: (peer, params) => measureExpiry(peer as Peer<ExpirySubject>, params as unknown as ExpiryParams),
  },
  {
    id: 'tiered-hit',
    family: 'tiered',
    peers: {
      'raw-map': memoryHitPeers['raw-map'],
      'lru-cache': memoryHitPeers['lru-cache'],
      'cachewise-cached': () => import('./tiered-hit/cachewise-cached.js'),
      'cachewise-wrap': () => import('./tiered-hit/cachewise-wrap.js'),
      // The same @Cached on the memory store alone: what the tier adds to a hit.
      'cachewise-memory': memoryHitPeers['cachewise-cached'],
      'cache-manager': () => import('./tiered-hit/cache-manager.js'),
      bentocache: () => import('./tiered-hit/bentocache.js'),
      'bentocache-no-serialize': () => import('./tiered-hit/bentocache-no-serialize.js'),
    },
    params: { keys: 1_000, ops: 50_000, passes: 5, capacity: 2_000 } satisfies Omit<TieredHitParams, 'redisPort'>,
    variants: [{}],
    quick: { ops: 10_000, passes: 2 },
    needsRedis: true,
    measure: (peer, params) => measureTieredHit(peer as Peer, params as unknown as TieredHitParams),
  },
  {
    id: 'tiered-bus',
    family: 'tiered',
    peers: { cachewise: () => import('./tiered-bus/cachewise.js') },
    params: { invalidations: 10_000 } satisfies Omit<TieredBusParams, 'paceMs' | 'redisPort'>,
    // Paced as invalidations come in practice (one every millisecond or so), and back to back.
    variants: [{ paceMs: 1 }, { paceMs: 0 }],
    quick: { invalidations: 1_000 },
    needsRedis: true,
    rounds: 1,
    measure: (peer, params) => measureTieredBus(peer as Peer<TieredCache>, params as unknown as TieredBusParams),
  },
  {
    id: 'tiered-outage',
    family: 'tiered',
    peers: { cachewise: () => import('./tiered-outage/cachewise.js') },
    params: { keys: 200, pairs: 5, windowMs: 200 } satisfies Omit<TieredOutageParams, 'kill'>,
    // Paused (SIGSTOP: connections stay open, nothing answers) and killed (SIGKILL).
    variants: [{ kill: 0 }, { kill: 1 }],
    quick: { pairs: 2, windowMs: 50 },
    // It starts its own redis-server, since it pauses or kills it.
    needsRedis: false,
    rounds: 1,
    measure: (peer, params) =>
      measureTieredOutage(peer as Peer<OutageSubject>, params as unknown as TieredOutageParams),
  },
];

export function findScenario(id: string): Scenario {
  const scenario = scenarios.find((s) => s.id === id);
  if (scenario === undefined) {
    throw new RangeError(`unknown scenario '${id}'; known: ${scenarios.map((s) => s.id).join(', ')}`);
  }
  return scenario;
}
