import type { Cache, CallPolicy, EntryRef } from '../cache.js';
import { CacheOptionsError, KeyDerivationError } from '../errors.js';
import { type FreshnessOptions, resolveFreshness } from '../freshness.js';
import { BuiltKeys, HotKeys, isKeySegment, KeyMemo, MAX_MEMO_KEY_LENGTH, methodKeyPrefix, userKeys } from '../keys.js';
import { describeValue } from '../validate.js';
import { type CacheSource, type ClassConfig, classConfig, classConfigsApplied, resolveCache } from './cache-config.js';
import { type AnyMethod, findOwner } from './universal-decorator.js';

/** @internal The settings a cached method or function was declared with, validated. */
export interface CachedSpec {
  readonly ttlMs: number | undefined;
  /** A `ttl` function of the result and the arguments. */
  readonly ttlOf: ((value: unknown, args: readonly unknown[]) => unknown) | undefined;
  readonly resultTags: ((value: unknown, args: readonly unknown[]) => readonly string[]) | undefined;
  /** Validated when declared; resolved against each cache's defaults when bound. */
  readonly freshness: FreshnessOptions;
  readonly tags: readonly string[] | ((...args: unknown[]) => readonly string[]);
  readonly key: ((...args: unknown[]) => string) | undefined;
  readonly cache: CacheSource | undefined;
  readonly condition: ((...args: unknown[]) => boolean) | undefined;
  readonly unless: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
}

/** @internal What a method needs per cache, computed once. */
export interface Binding {
  readonly cache: Cache;
  readonly policy: CallPolicy;
  /** Builds `ns:m:Class.method:<args>` keys, remembering hot ones. */
  readonly keys: HotKeys;
  /** The storage keys of the `key` function's recent results. */
  readonly userKeys: BuiltKeys;
  /**
   * Tag-id lists of recent calls whose tags function gave one tag (the common
   * `(id) => [\`user:${id}\`]`): a hit then reuses the very list its entry recorded.
   */
  readonly singleTags: KeyMemo<string, readonly string[]>;
  /**
   * `policy` for calls whose tags are a guess: a one-argument call of a method with a
   * tags function, whose key memo entry holds the tag ids that function gave last for
   * that argument. A hit then does not call the function (an entry is judged by the tags
   * it was written with); a load or refresh calls it (`realTags`). Undefined when the
   * method has a `key` function, class tags, or static tags.
   */
  readonly guess: CallPolicy | undefined;
  /** The cache's namespace tag alone: the guess of a call with no better one. */
  readonly namespaceTags: readonly string[];
  /** Tag ids when the tags do not depend on the arguments. */
  readonly staticTags: readonly string[] | undefined;
  /** Class-level tags, prepended to argument-dependent ones. */
  readonly classTags: readonly string[];
}

const records = new WeakMap<Function, MethodRecord>();

/** @internal The record behind a `@Cached` method or `cached()` function, if `fn` is one. */
export function recordOf(fn: unknown): MethodRecord | undefined {
  return typeof fn === 'function' ? records.get(fn) : undefined;
}

/**
 * @internal One cached method (or function): resolves its class, cache and binding on
 * the first call, then keeps the binding for as long as the cache stays the same.
 */
export class MethodRecord {
  #owner: Function | undefined;
  #config: ClassConfig | undefined;
  /** {@link classConfigsApplied} when this method last looked for its class's config. */
  #configsSeen = -1;
  #last: Binding | undefined;
  /** One binding per cache, so a method used with several caches keeps each one's memos and checks. */
  readonly #bindings = new WeakMap<Cache, Binding>();
  /** Who to name in a "no cache" error, built once: a hit must not build it (or read `owner.name`). */
  #who: string | undefined;

  constructor(
    readonly decorator: string,
    readonly methodName: string,
    readonly isStatic: boolean,
    owner: Function | undefined,
    readonly spec: CachedSpec,
    /** A plain function wrapped by `cached()`: it is its own owner and has no class. */
    readonly standalone: boolean,
  ) {
    this.#owner = owner;
    if (owner !== undefined && !standalone) this.#config = classConfig(owner);
  }

  /** Registers the wrapper, so `methodKey()` and `keyFor()` can find this record. */
  register(wrapper: Function): void {
    records.set(wrapper, this);
  }

  /** The declaring class (or, for `cached()`, the function). */
  owner(self: unknown, wrapper: Function): Function {
    if (this.#owner === undefined) {
      this.#owner =
        findOwner(self, wrapper, this.methodName, this.isStatic) ??
        ((this.isStatic ? self : (self as { constructor?: Function } | null)?.constructor) as Function);
      if (!this.standalone) this.#config = classConfig(this.#owner);
    }
    return this.#owner;
  }

  /** The cache for a call on `self`. */
  resolveCache(self: unknown, owner: Function): Cache {
    this.#who ??= `${this.decorator} ${this.describeMethod(owner)}`;
    return resolveCache(this.spec.cache ?? this.#classConfig(owner)?.cache, self, this.#who);
  }

  /** The binding for `cache`: label, policy, key prefix and static tags. */
  bind(cache: Cache, owner: Function): Binding {
    const last = this.#last;
    if (last !== undefined && last.cache === cache) return last;
    const known = this.#bindings.get(cache);
    if (known !== undefined) {
      this.#last = known;
      return known;
    }
    const config = this.#classConfig(owner);
    const label = this.label(owner, config);
    cache.claimLabel(label, owner, this.standalone ? 'function' : 'class');
    const ttlMs = this.spec.ttlMs ?? config?.ttlMs ?? cache.options.ttlMs;
    const classTags = config?.tags ?? [];
    const tags = this.spec.tags;
    const policy = cache.policy(label, {
      ttlMs,
      ttlOf: this.spec.ttlOf,
      resultTags: this.spec.resultTags,
      freshness: resolveFreshness(this.spec.freshness, label, cache.options.freshness),
      unless: this.spec.unless,
      requirePromise: !this.standalone,
    });
    const guessing = typeof tags === 'function' && this.spec.key === undefined && classTags.length === 0;
    const binding: Binding = {
      cache,
      policy,
      guess: guessing
        ? {
            ...policy,
            realTags: (self, args) => {
              binding.keys.keyOf(args, label); // the call's own memo entry, for tagsOf
              return this.tagsOf(binding, self, args);
            },
          }
        : undefined,
      namespaceTags: cache.tagIds(undefined, label),
      keys: new HotKeys(methodKeyPrefix(cache.namespace, label), { budget: cache.memoBudget, guesses: guessing }),
      userKeys: new BuiltKeys(userKeys(cache.namespace)),
      singleTags: new KeyMemo(),
      staticTags: typeof tags === 'function' ? undefined : cache.tagIds([...classTags, ...tags], `${label}: \`tags\``),
      classTags,
    };
    this.#last = binding;
    this.#bindings.set(cache, binding);
    return binding;
  }

  /** The storage key of a call with `args`. */
  keyOf(binding: Binding, self: unknown, args: unknown[]): string {
    const keyFn = this.spec.key;
    if (keyFn === undefined) return binding.keys.keyOf(args, binding.policy.label);
    const key = args.length === 1 ? keyFn.call(self, args[0]) : keyFn.apply(self, args);
    if (typeof key !== 'string' || key.length === 0) {
      throw new KeyDerivationError(
        `${binding.policy.label}: the \`key\` function must return a non-empty string; it returned ${typeof key}`,
      );
    }
    return binding.userKeys.of(key);
  }

  /** The tag ids of a call with `args`. */
  tagsOf(binding: Binding, self: unknown, args: unknown[]): readonly string[] {
    if (binding.staticTags !== undefined) return binding.staticTags;
    const fn = this.spec.tags as (...a: unknown[]) => readonly string[];
    const tags = args.length === 1 ? fn.call(self, args[0]) : fn.apply(self, args);
    if (!Array.isArray(tags)) {
      throw new CacheOptionsError(
        `${binding.policy.label}: the \`tags\` function must return an array of non-empty strings; it returned ${describeValue(tags)}`,
      );
    }
    if (binding.classTags.length === 0) {
      const only: unknown = tags.length === 1 ? tags[0] : undefined;
      if (typeof only === 'string' && only.length > 0 && only.length <= MAX_MEMO_KEY_LENGTH) {
        let ids = binding.singleTags.get(only);
        if (ids === undefined) {
          ids = binding.cache.tagIds(tags, `${binding.policy.label}: the \`tags\` function's result`);
          binding.singleTags.set(only, ids);
        }
        // The guess of this call's argument (keyOf ran just before): its next hit reads with it.
        if (binding.guess !== undefined) binding.keys.setGuess(ids);
        return ids;
      }
      // Not one tag: no guess for this argument's next hit.
      if (binding.guess !== undefined) binding.keys.setGuess(undefined);
      return binding.cache.tagIds(tags, `${binding.policy.label}: the \`tags\` function's result`);
    }
    return binding.cache.tagIds(
      [...binding.classTags, ...tags],
      `${binding.policy.label}: the \`tags\` function's result`,
    );
  }

  /** An {@link EntryRef} naming this method's entry for `args`. */
  entryRef(owner: Function, args: unknown[]): EntryRef {
    return {
      storageKey: (cache: Cache) => this.keyOf(this.bind(cache, owner), undefined, args),
    };
  }

  #classConfig(owner: Function): ClassConfig | undefined {
    // Legacy class decorators run after method decorators: look again until found, but
    // only when a @CacheConfig was applied since the last look (a hit looks nothing up).
    if (this.#config === undefined && !this.standalone && this.#configsSeen !== classConfigsApplied()) {
      this.#configsSeen = classConfigsApplied();
      this.#config = classConfig(owner);
    }
    return this.#config;
  }

  describeMethod(owner: Function | undefined): string {
    return this.standalone ? this.methodName : `${owner?.name || '(anonymous class)'}.${this.methodName}`;
  }

  #labelCache: string | undefined;
  label(owner: Function, config: ClassConfig | undefined): string {
    if (this.#labelCache !== undefined) return this.#labelCache;
    const className = this.standalone ? undefined : (config?.name ?? owner.name);
    // A static and an instance method of one name are two methods: 'static' keeps them apart.
    const method = this.isStatic ? `static.${this.methodName}` : this.methodName;
    const label = className === undefined ? this.methodName : `${className}.${method}`;
    if (!isKeySegment(label) || className === '') {
      throw new CacheOptionsError(
        `${this.decorator}: '${label}' cannot be used in cache keys (it is empty, holds ':', '#' or spaces, ` +
          'or the class has no name); ' +
          'name the class with @CacheConfig({ name }) or the function with the `name` option',
      );
    }
    this.#labelCache = label;
    return label;
  }
}

/** The wrapper installed for a cached method or function. */
export function cachedWrapper(record: MethodRecord, original: AnyMethod): AnyMethod {
  const spec = record.spec;
  const wrapper = function (this: unknown, ...args: unknown[]): unknown {
    try {
      // A bypassed call still answers with a promise, and a throwing condition rejects.
      if (spec.condition !== undefined && !spec.condition.apply(this, args))
        return Promise.resolve(original.apply(this, args));
      const owner = record.owner(this, wrapper);
      const binding = record.bind(record.resolveCache(this, owner), owner);
      const key = record.keyOf(binding, this, args);
      // A hit with the tag ids this argument's tags function gave last: no need to call it.
      if (binding.guess !== undefined) {
        const guessed = binding.keys.guess();
        if (guessed !== undefined) return binding.cache.call(key, guessed, binding.guess, original, this, args);
        // No guess for this argument (over a working set larger than the memos, say): on a
        // store that answers at once, read with the namespace's tag alone; a hit then reads
        // its entry's own tags, still without calling the function.
        if (binding.cache.readsAtOnce) {
          return binding.cache.call(key, binding.namespaceTags, binding.guess, original, this, args);
        }
      }
      return binding.cache.call(key, record.tagsOf(binding, this, args), binding.policy, original, this, args);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  record.register(wrapper);
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  return wrapper;
}
