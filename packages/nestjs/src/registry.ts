// The caches of one Nest application: which provider uses which, and closing them with it.
import {
  bindCache,
  type Cache,
  CacheOptionsError,
  createCache,
  getDefaultCache,
  methodsWithoutCache,
  setDefaultCache,
} from '@cachewise/core';
import type { Store } from '@cachewise/core/store';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type CachewiseModuleOptions, cacheOptionsOf, type Registration } from './options.js';
import { cacheNameOf, DEFAULT_CACHE_NAME } from './tokens.js';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** Which application's open cache uses each store, so two applications never share one by accident. */
const storeOwners = new WeakMap<Store, CachewiseRegistry>();

/**
 * @internal One per application (its module is global): every `forRoot`/`forRootAsync`
 * registers its cache here. When the application initialises, before the `onModuleInit`
 * hooks of non-global modules, each provider and controller instance (each instance of a
 * transient one) is bound to its cache (the unnamed one, or the one its class names with
 * `@UseCache`), and a request-scoped one whose decorated methods name no cache is refused;
 * on shutdown the caches are closed.
 */
@Injectable()
export class CachewiseRegistry implements OnModuleInit, OnApplicationShutdown {
  readonly #caches = new Map<string, Cache>();
  readonly #stores = new Set<Store>();

  constructor(@Inject(DiscoveryService) private readonly discovery: DiscoveryService) {}

  /** Creates the cache of a registration from its checked options. */
  create({ name, where }: Registration, options: CachewiseModuleOptions): Cache {
    if (this.#caches.has(name)) {
      throw new CacheOptionsError(
        name === DEFAULT_CACHE_NAME
          ? `${where}: this application already has an unnamed cache; give the others a \`name\` and inject them with @InjectCache(name)`
          : `${where}: this application already has a cache named '${name}'; each \`name\` is used once`,
      );
    }
    const { options: cacheOptions, store } = cacheOptionsOf(options, where);
    const owner = storeOwners.get(store);
    if (owner !== undefined && owner !== this) {
      throw new CacheOptionsError(
        `${where}: \`store\` is already used by another application's cache, which would share its entries; ` +
          'pass a function that makes the store, e.g. `store: () => memoryStore()`, so each application gets its own',
      );
    }
    const before = getDefaultCache();
    let cache: Cache;
    try {
      cache = createCache(cacheOptions);
    } catch (error) {
      // createCache's messages name the option; say which call and cache it came from.
      const { name: kind, message } = error as Error;
      if (kind === 'CacheOptionsError' && message.startsWith('createCache: ')) {
        throw new CacheOptionsError(`${where}: ${message.slice('createCache: '.length)}`, { cause: error });
      }
      throw error;
    }
    // Decorated classes find this cache through the container: it never becomes the process-wide default.
    if (getDefaultCache() === cache) setDefaultCache(before);
    storeOwners.set(store, this);
    this.#stores.add(store);
    this.#caches.set(name, cache);
    return cache;
  }

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      if (!wrapper.isDependencyTreeStatic()) refuseUnbound(wrapper);
      // A transient provider has an instance per provider that injects it.
      else if (wrapper.isTransient)
        for (const held of wrapper.getStaticTransientInstances()) this.#bind(held?.instance);
      else this.#bind(wrapper.instance);
    }
  }

  /** Binds a provider or controller instance to its cache: the unnamed one, or the one `@UseCache` names. */
  #bind(instance: unknown): void {
    if (typeof instance !== 'object' || instance === null) return;
    const type = (instance as { constructor?: unknown }).constructor;
    const wanted = cacheNameOf(type);
    const cache = this.#caches.get(wanted ?? DEFAULT_CACHE_NAME);
    if (cache === undefined) {
      if (wanted === undefined) return;
      throw new CacheOptionsError(
        `@UseCache('${wanted}') on ${(type as Function).name}: this application has no cache named '${wanted}'; ` +
          `register one with CachewiseModule.forRoot({ name: '${wanted}', store, … })`,
      );
    }
    bindCache(instance, cache);
  }

  async onApplicationShutdown(): Promise<void> {
    const caches = [...this.#caches.values()];
    this.#caches.clear();
    for (const store of this.#stores) if (storeOwners.get(store) === this) storeOwners.delete(store);
    this.#stores.clear();
    // Each store closes only the clients it created: a client passed in stays open.
    await Promise.all(caches.map((cache) => cache.close()));
  }
}

/**
 * Refuses a request-scoped provider (or controller) with decorated methods that name no
 * cache: Nest makes its instances per request, after the application started, so they
 * cannot be bound, and those methods would fail, or use some process-wide default cache.
 */
function refuseUnbound(wrapper: InstanceWrapper): void {
  const type = wrapper.metatype;
  if (typeof type !== 'function' || wrapper.isFactory) return;
  const methods = methodsWithoutCache(type);
  if (methods.length === 0) return;
  throw new CacheOptionsError(
    `${type.name} is request-scoped (Scope.REQUEST, or it depends on a provider that is): Nest makes its ` +
      `instances per request, too late for the module to bind them to a cache, so its ` +
      `${methods.length === 1 ? 'method' : 'methods'} ${methods.join(', ')} would have none. ` +
      'Name its cache in the class: inject it, and add @CacheConfig({ cache: (self) => self.cache }) ' +
      "(or a method's own `cache` option); or make the provider a singleton",
  );
}
