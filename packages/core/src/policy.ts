// What a cached call is judged by: its method's settings, and the verdict on an entry.
import type { Freshness } from './freshness.js';
import type { CacheRecord } from './record.js';
import type { CacheCounters } from './stats.js';
import type { StoreRead, TagState } from './store.js';

/** @internal The settings of a method or label, before they are bound to counters. */
export interface PolicySettings {
  readonly ttlMs: number;
  /** A `ttl` function: the entry's TTL from its value and the call's arguments. */
  readonly ttlOf: ((value: unknown, args: readonly unknown[]) => unknown) | undefined;
  /** Tags a loaded value adds to the call's own (`resultTags`, the user's function). */
  readonly resultTags: ((value: unknown, args: readonly unknown[]) => readonly string[]) | undefined;
  readonly freshness: Freshness;
  readonly unless: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  /** Decorated methods must return a promise: callers of the method expect one. */
  readonly requirePromise: boolean;
}

/** @internal A method's or label's settings, bound to one cache. */
export interface CallPolicy extends PolicySettings {
  readonly label: string;
  readonly counters: CacheCounters;
  /** The `byMethod` row `counters` is: the label, or `'#other'` past `maxLabels` (what loads are traced under). */
  readonly row: string;
  /** How long past its TTL an entry is worth keeping: the larger stale window. */
  readonly graceMs: number;
  /** `resultTags` as tag ids (checked, namespaced); throws a CacheOptionsError for a bad answer. */
  readonly resultTagIds: ((value: unknown, args: readonly unknown[]) => readonly string[]) | undefined;
  /**
   * Set when a call's tags are a guess (the tag ids a tags function gave last for the
   * same arguments, so a hit need not call it): the call's own tag ids, asked for only
   * when it loads or refreshes. A hit needs none: an entry is judged by the tags it was
   * written with.
   */
  readonly realTags?: (self: unknown, args: unknown[]) => readonly string[];
}

/** @internal A cached method or function, called with `this` and the call's arguments. */
export type Loader = (this: unknown, ...args: unknown[]) => unknown;

/** @internal A store's answer, with its payload as a record. */
export type Read = StoreRead<CacheRecord>;

/** @internal An entry that may stand in for a fresh one, and why it is stale. */
export interface Stale {
  readonly record: CacheRecord;
  readonly invalidated: boolean;
}

/** @internal What a read makes of an entry. */
export const Verdict = {
  Fresh: 0,
  /** Past its TTL; usable as stale within the policy's windows. */
  Expired: 1,
  /** Marked stale by an `'expire'`-mode invalidation; usable as stale within the windows. */
  Invalidated: 2,
  /** Deleted, hard-invalidated, or from before the bookkeeping was lost: never served. */
  Gone: 3,
  /** Written with other tags than the caller names: read those first. */
  OtherTags: 4,
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/**
 * @internal The verdict on an entry at `now`, given the states of the tags asked for. An
 * entry is fresh when unexpired and every tag still has the version it recorded; stale
 * (usable within the stale windows) when expired or when only `'expire'`-mode
 * invalidations moved its tags on; gone when a `'delete'`-mode invalidation did
 * (hardVersion passed the version the entry recorded: versions only grow).
 */
export function judge(
  record: CacheRecord,
  states: readonly TagState[],
  asked: readonly string[],
  now: number,
): Verdict {
  const tags = record.tags;
  if (tags !== asked) {
    if (tags.length !== asked.length) return Verdict.OtherTags;
    for (let i = 0; i < tags.length; i++) if (tags[i] !== asked[i]) return Verdict.OtherTags;
  }
  let verdict: Verdict = record.expiresAt <= now ? Verdict.Expired : Verdict.Fresh;
  const versions = record.versions;
  for (let i = 0; i < versions.length; i++) {
    const state = states[i];
    if (state === undefined) return Verdict.Gone;
    if (state.version !== versions[i]) {
      if (state.hardVersion > versions[i]!) return Verdict.Gone;
      verdict = Verdict.Invalidated;
    }
  }
  return verdict;
}

/**
 * @internal The lists of versions entries record. Entries of one method with fixed tags
 * usually record the same versions, so they share one array instead of holding one
 * each (a load's entry, and a tiered store's L1 copy alike).
 */
export class SharedVersions {
  readonly #byTags = new WeakMap<readonly string[], readonly number[]>();
  #last: readonly number[] | undefined;

  /** The versions of `states`, as a list already handed out when an equal one was. */
  of(tags: readonly string[], states: readonly TagState[]): readonly number[] {
    // A tags function makes a new array per call: then the last versions made, whatever
    // their tags, are worth a look (tags nobody invalidated share their versions).
    const last = this.#byTags.get(tags) ?? this.#last;
    if (
      last !== undefined &&
      last.length === states.length &&
      last.every((version, i) => states[i]?.version === version)
    ) {
      return last;
    }
    // A packed array of numbers, not frozen: a hit's judge reads it by index, and V8 reads
    // frozen or holey arrays there through a generic lookup (40 to 80 instructions a hit).
    // No code changes an entry's versions.
    const versions: number[] = [];
    for (let i = 0; i < states.length; i++) versions.push(states[i]!.version);
    this.#byTags.set(tags, versions);
    this.#last = versions;
    return versions;
  }
}
