// The policies of one cache: a method's or label's settings bound to its counters, made
// once per label and settings.
import type { WrapOptions } from './cache-options.js';
import { parseDuration } from './duration.js';
import { CacheOptionsError } from './errors.js';
import { type Freshness, graceOf, resolveFreshness } from './freshness.js';
import { checkTtlFitsStore } from './options.js';
import type { CallPolicy, PolicySettings } from './policy.js';
import { OTHER_LABEL, type Stats } from './stats.js';
import type { Store } from './store.js';
import { describeValue, rejectUnknownOptions } from './validate.js';

const WRAP_OPTIONS: { [K in keyof Required<WrapOptions>]: true } = {
  ttl: true,
  tags: true,
  resultTags: true,
  unless: true,
  name: true,
  staleWhileRevalidate: true,
  staleIfError: true,
  revalidate: true,
  earlyRefresh: true,
};

/** @internal The settings of a `wrap` call, checked; the cache's `ttlMs` and `freshness` are the defaults. */
const VALUE_FUNCTIONS = ['unless', 'resultTags'] as const;

export function wrapSettings(options: WrapOptions, ttlMs: number, freshness: Freshness): PolicySettings {
  rejectUnknownOptions('wrap', options, WRAP_OPTIONS);
  const ttlOf = typeof options.ttl === 'function' ? (options.ttl as PolicySettings['ttlOf']) : undefined;
  for (const name of VALUE_FUNCTIONS) {
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
  return {
    ttlMs: options.ttl === undefined || ttlOf !== undefined ? ttlMs : parseDuration(options.ttl, 'wrap: `ttl`'),
    ttlOf,
    resultTags: options.resultTags as PolicySettings['resultTags'],
    freshness: resolveFreshness(options, 'wrap', freshness),
    unless: options.unless as PolicySettings['unless'],
    requirePromise: false,
  };
}

/** The options a `wrap` call's policy is made from, as the call gave them. */
interface WrapCallSite {
  readonly ttl: unknown;
  readonly name: unknown;
  readonly unless: unknown;
  readonly resultTags: unknown;
  readonly staleWhileRevalidate: unknown;
  readonly staleIfError: unknown;
  readonly earlyRefresh: unknown;
  readonly revalidate: unknown;
  readonly policy: CallPolicy;
}

/**
 * @internal The policy of a `wrap` call. A call site passes the same values in a new
 * object on every call (`{ ttl: '5m' }`): when they are those of the last call (compared
 * one by one, functions by identity), its policy is reused without checking, parsing and
 * looking it up again. Unknown options are still refused on every call.
 */
export class WrapPolicies {
  #last: WrapCallSite | undefined;

  constructor(
    readonly policies: Policies,
    readonly ttlMs: number,
    readonly freshness: Freshness,
    readonly defaultLabel: string,
  ) {}

  of(options: WrapOptions): CallPolicy {
    const last = this.#last;
    if (
      last !== undefined &&
      last.ttl === options.ttl &&
      last.name === options.name &&
      last.unless === options.unless &&
      last.resultTags === options.resultTags &&
      last.staleWhileRevalidate === options.staleWhileRevalidate &&
      last.staleIfError === options.staleIfError &&
      last.earlyRefresh === options.earlyRefresh &&
      last.revalidate === options.revalidate
    ) {
      rejectUnknownOptions('wrap', options, WRAP_OPTIONS);
      return last.policy;
    }
    const settings = wrapSettings(options, this.ttlMs, this.freshness);
    const policy = this.policies.of(options.name ?? this.defaultLabel, settings);
    this.#last = {
      ttl: options.ttl,
      name: options.name,
      unless: options.unless,
      resultTags: options.resultTags,
      staleWhileRevalidate: options.staleWhileRevalidate,
      staleIfError: options.staleIfError,
      earlyRefresh: options.earlyRefresh,
      revalidate: options.revalidate,
      policy,
    };
    return policy;
  }
}

/** @internal */
export class Policies {
  readonly #policies = new Map<string, CallPolicy[]>();
  readonly #store: Store;
  readonly #stats: Stats;
  readonly #freshness: Freshness;
  readonly #tagIds: (tags: readonly string[], where: string) => readonly string[];

  constructor(
    store: Store,
    stats: Stats,
    freshness: Freshness,
    tagIds: (tags: readonly string[], where: string) => readonly string[],
  ) {
    this.#store = store;
    this.#stats = stats;
    this.#freshness = freshness;
    this.#tagIds = tagIds;
  }

  /**
   * One policy per label and settings, so per-method counters are shared. Past
   * `maxLabels` labels, new labels get a policy made per call that counts in the overflow
   * row and is not kept: a `wrap` name made from data cannot grow memory.
   */
  of(label: string, settings: PolicySettings): CallPolicy {
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
      row: this.#stats.hasRoomFor(label) ? label : OTHER_LABEL,
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
              return this.#tagIds(tags, where).slice(1);
            },
    };
  }

  /** Settings with nothing but a TTL (`set`, `get`). */
  plain(ttlMs: number): PolicySettings {
    return {
      ttlMs,
      ttlOf: undefined,
      resultTags: undefined,
      freshness: this.#freshness,
      unless: undefined,
      requirePromise: false,
    };
  }
}
