// CachewiseModule in a standalone application context: providers, DI-resolved
// decorators, named caches, two applications, option errors, shutdown.
import 'reflect-metadata';
import {
  Cache,
  CacheConfig,
  Cached,
  CacheOptionsError,
  createCache,
  getDefaultCache,
  Invalidates,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { Controller, type DynamicModule, Inject, Injectable, Module, Scope, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { faultStore } from '../../core/test/fault-store.js';
import { CachewiseModule, getCacheToken, InjectCache, UseCache } from '../src/index.js';

afterEach(() => setDefaultCache(undefined));

@Injectable()
class Users {
  loads = 0;

  @Cached({ tags: (id: number) => [`user:${id}`] })
  async find(id: number): Promise<{ id: number; load: number }> {
    this.loads++;
    return { id, load: this.loads };
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`] })
  async rename(_id: number): Promise<void> {}
}

@Injectable()
@UseCache('sessions')
class Sessions {
  loads = 0;

  @Cached()
  async find(id: string): Promise<string> {
    this.loads++;
    return `session ${id}`;
  }
}

@Injectable()
class Injected {
  constructor(
    readonly byClass: Cache,
    @InjectCache() readonly byToken: Cache,
    @InjectCache('sessions') readonly sessions: Cache,
    @Inject(getCacheToken('sessions')) readonly sessionsByToken: Cache,
  ) {}
}

function context(module: Type) {
  return NestFactory.createApplicationContext(module, { logger: false, abortOnError: false });
}

describe('CachewiseModule.forRoot', () => {
  @Module({
    imports: [
      CachewiseModule.forRoot({ store: () => memoryStore(), namespace: 'app', ttl: '1m' }),
      CachewiseModule.forRoot({ name: 'sessions', store: () => memoryStore(), namespace: 'sessions' }),
    ],
    providers: [Users, Sessions, Injected],
  })
  class AppModule {}

  it('provides the cache by class and by token, and each named cache by its name', async () => {
    const app = await context(AppModule);
    const injected = app.get(Injected);
    expect(injected.byClass).toBeInstanceOf(Cache);
    expect(injected.byToken).toBe(injected.byClass);
    expect(injected.byClass.namespace).toBe('app');
    expect(injected.sessions.namespace).toBe('sessions');
    expect(injected.sessionsByToken).toBe(injected.sessions);
    expect(app.get(getCacheToken())).toBe(injected.byClass);
    await app.close();
  });

  it("runs providers' @Cached and @Invalidates on the module's cache, with no default cache", async () => {
    const app = await context(AppModule);
    expect(getDefaultCache()).toBeUndefined();
    const users = app.get(Users);
    const cache = app.get(Cache);
    expect((await users.find(1)).load).toBe(1);
    expect((await users.find(1)).load).toBe(1);
    expect(cache.stats().hits).toBe(1);
    await users.rename(1);
    expect((await users.find(1)).load).toBe(2);
    const sessions = app.get(Sessions);
    await sessions.find('a');
    await sessions.find('a');
    expect(sessions.loads).toBe(1);
    expect(app.get(Injected).sessions.stats().hits).toBe(1);
    expect(cache.stats().byMethod['Sessions.find']).toBeUndefined();
    await app.close();
  });

  it('gives two applications built from one module their own caches', async () => {
    const first = await context(AppModule);
    const second = await context(AppModule);
    expect(first.get(Cache)).not.toBe(second.get(Cache));
    await first.get(Users).find(7);
    await second.get(Users).find(7);
    expect(first.get(Users).loads).toBe(1);
    expect(second.get(Users).loads).toBe(1); // not served from the first application's entry
    await first.get(Users).rename(7);
    await second.get(Users).find(7);
    expect(second.get(Users).loads).toBe(1);
    await first.close();
    // The second application's cache stays open when the first one closes.
    await second.get(Users).find(8);
    await second.get(Users).find(8);
    expect(second.get(Cache).stats().hits).toBe(2);
    await second.close();
  });

  it('refuses one store object shared by two applications, naming `store`', async () => {
    const shared = memoryStore();
    @Module({ imports: [CachewiseModule.forRoot({ store: shared })], providers: [Users] })
    class SharedModule {}
    const first = await context(SharedModule);
    await expect(context(SharedModule)).rejects.toThrow(
      /CachewiseModule.forRoot: `store` is already used by another application's cache.*store: \(\) => memoryStore\(\)/,
    );
    await first.close();
    expect(first.get(Cache).closed).toBe(true);
  });

  it('makes a global cache injectable in modules that do not import it', async () => {
    @Module({ providers: [Injected] })
    class Feature {}
    @Module({
      imports: [
        CachewiseModule.forRoot({ store: () => memoryStore(), isGlobal: true }),
        CachewiseModule.forRoot({ name: 'sessions', store: () => memoryStore(), isGlobal: true }),
        Feature,
      ],
    })
    class GlobalApp {}
    const app = await context(GlobalApp);
    expect(app.get(Injected).byClass).toBeInstanceOf(Cache);
    await app.close();

    @Module({
      imports: [
        CachewiseModule.forRoot({ store: () => memoryStore() }),
        CachewiseModule.forRoot({ name: 'sessions', store: () => memoryStore() }),
        Feature,
      ],
    })
    class LocalApp {}
    await expect(context(LocalApp)).rejects.toThrow(/Injected/);
  });
});

describe('which cache a decorated method uses', () => {
  it("a controller's binds too; a method's own cache and @CacheConfig's win over the module's", async () => {
    const own = createCache({ store: memoryStore(), namespace: 'own' });
    setDefaultCache(undefined);
    @Controller()
    class Pages {
      @Cached()
      async page(id: number): Promise<number> {
        return id;
      }
    }
    @Injectable()
    class MethodOwn {
      @Cached({ cache: own })
      async find(id: number): Promise<number> {
        return id;
      }
    }
    @Injectable()
    @CacheConfig({ cache: own })
    class ClassOwn {
      @Cached()
      async find(id: number): Promise<number> {
        return id;
      }
    }
    @Module({
      imports: [CachewiseModule.forRoot({ store: () => memoryStore() })],
      controllers: [Pages],
      providers: [MethodOwn, ClassOwn],
    })
    class App {}
    const app = await context(App);
    await app.get(Pages).page(1);
    await app.get(MethodOwn).find(1);
    await app.get(ClassOwn).find(1);
    expect(Object.keys(app.get(Cache).stats().byMethod)).toEqual(['Pages.page']);
    expect(Object.keys(own.stats().byMethod).sort()).toEqual(['ClassOwn.find', 'MethodOwn.find']);
    await app.close();
    await own.close();
  });
});

describe('when providers are bound', () => {
  it("before a provider's own onModuleInit runs, in a module that imports the cache's", async () => {
    @Injectable()
    class Warm {
      constructor(@Inject(Users) readonly users: Users) {}
      async onModuleInit(): Promise<void> {
        await this.users.find(1);
        await this.users.find(1);
      }
    }
    @Module({
      imports: [CachewiseModule.forRoot({ store: () => memoryStore() })],
      providers: [Users, Warm],
      exports: [Users],
    })
    class Feature {}
    @Module({ imports: [Feature] })
    class App {}
    const app = await context(App);
    expect(app.get(Users).loads).toBe(1);
    expect(app.get(Cache).stats().hits).toBe(1);
    await app.close();
  });
});

describe('request-scoped and transient providers', () => {
  @Injectable({ scope: Scope.REQUEST })
  class PerRequest {
    loads = 0;

    @Cached()
    async find(id: number): Promise<number> {
      this.loads++;
      return id;
    }
  }

  it('refuses, when the application starts, a request-scoped provider whose decorated methods name no cache', async () => {
    @Module({ imports: [CachewiseModule.forRoot({ store: () => memoryStore() })], providers: [PerRequest] })
    class App {}
    await expect(context(App)).rejects.toThrow(CacheOptionsError);
    await expect(context(App)).rejects.toThrow(
      /^PerRequest is request-scoped \(Scope.REQUEST, or it depends on a provider that is\): Nest makes its instances per request, too late for the module to bind them to a cache, so its method find would have none\. Name its cache in the class: inject it, and add @CacheConfig\(\{ cache: \(self\) => self\.cache \}\)/,
    );
    // Even with a process-wide default cache, which it would otherwise use unseen.
    const stray = createCache({ store: memoryStore() });
    await expect(context(App)).rejects.toThrow(/^PerRequest is request-scoped/);
    await stray.close();

    // A singleton that depends on a request-scoped provider is made per request too.
    @Injectable({ scope: Scope.REQUEST })
    class RequestContext {}
    @Injectable()
    class Depends {
      constructor(@Inject(RequestContext) readonly request: RequestContext) {}

      @Invalidates({ tags: ['all'] })
      async write(): Promise<void> {}
    }
    @Module({
      imports: [CachewiseModule.forRoot({ store: () => memoryStore() })],
      providers: [Depends, RequestContext],
    })
    class Implicit {}
    await expect(context(Implicit)).rejects.toThrow(/^Depends is request-scoped .* its method write would have none/);
  });

  it('lets a request-scoped provider name its cache with @CacheConfig', async () => {
    @Injectable({ scope: Scope.REQUEST })
    @CacheConfig({ cache: (self: Named) => self.cache })
    class Named {
      loads = 0;

      constructor(@InjectCache() readonly cache: Cache) {}

      @Cached()
      async find(id: number): Promise<number> {
        this.loads++;
        return id;
      }
    }
    @Module({ imports: [CachewiseModule.forRoot({ store: () => memoryStore() })], providers: [Named] })
    class App {}
    const app = await context(App);
    const first = await app.resolve(Named);
    const second = await app.resolve(Named, { id: 2 });
    expect(second).not.toBe(first);
    await first.find(1);
    await second.find(1);
    expect(first.loads + second.loads).toBe(1);
    expect(app.get(Cache).stats().hits).toBe(1);
    await app.close();
  });

  it("binds each instance of a transient provider to the application's cache", async () => {
    @Injectable({ scope: Scope.TRANSIENT })
    class Transient {
      loads = 0;

      @Cached()
      async find(id: number): Promise<number> {
        this.loads++;
        return id;
      }
    }
    @Injectable()
    class First {
      constructor(@Inject(Transient) readonly transient: Transient) {}
    }
    @Injectable()
    class Second {
      constructor(@Inject(Transient) readonly transient: Transient) {}
    }
    @Module({
      imports: [CachewiseModule.forRoot({ store: () => memoryStore() })],
      providers: [Transient, First, Second],
    })
    class App {}
    const app = await context(App);
    const [first, second] = [app.get(First).transient, app.get(Second).transient];
    expect(second).not.toBe(first);
    await first.find(1);
    await second.find(1);
    expect([first.loads, second.loads]).toEqual([1, 0]);
    expect(app.get(Cache).stats().hits).toBe(1);
    await app.close();
  });
});

describe('CachewiseModule.forRootAsync', () => {
  @Injectable()
  class Config {
    readonly namespace = 'from-config';
  }
  @Module({ providers: [Config], exports: [Config] })
  class ConfigModule {}

  it('builds the options from injected providers', async () => {
    @Module({
      imports: [
        CachewiseModule.forRootAsync({
          imports: [ConfigModule],
          inject: [Config],
          useFactory: async (config: Config) => ({ store: memoryStore(), namespace: config.namespace }),
        }),
      ],
      providers: [Users],
    })
    class AsyncApp {}
    const app = await context(AsyncApp);
    expect(app.get(Cache).namespace).toBe('from-config');
    await app.get(Users).find(1);
    expect(app.get(Cache).stats().misses).toBe(1);
    await app.close();
  });

  it('waits for the promise useFactory returns before the application starts', async () => {
    let release!: (options: { store: ReturnType<typeof memoryStore> }) => void;
    const options = new Promise<{ store: ReturnType<typeof memoryStore> }>((resolve) => (release = resolve));
    @Module({ imports: [CachewiseModule.forRootAsync({ useFactory: () => options })], providers: [Users] })
    class Waiting {}
    let started = false;
    const starting = context(Waiting).then((app) => {
      started = true;
      return app;
    });
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(started).toBe(false);
    release({ store: memoryStore() });
    const app = await starting;
    expect(app.get(Cache)).toBeInstanceOf(Cache);
    await app.close();
  });
});

describe('bad options are CacheOptionsErrors naming the option', () => {
  it('at forRoot / forRootAsync', () => {
    expect(() => CachewiseModule.forRoot({ store: memoryStore(), name: 'a b' })).toThrow(CacheOptionsError);
    expect(() => CachewiseModule.forRoot({ store: memoryStore(), name: 'a b' })).toThrow(
      /CachewiseModule.forRoot: `name` must be a non-empty string of letters, digits/,
    );
    expect(() => CachewiseModule.forRoot({ store: memoryStore(), isGlobal: 'yes' as never })).toThrow(
      /CachewiseModule.forRoot: `isGlobal` must be true or false; got "yes"/,
    );
    expect(() => CachewiseModule.forRoot(undefined as never)).toThrow(/options must be an object; got undefined/);
    expect(() => CachewiseModule.forRootAsync({} as never)).toThrow(
      /CachewiseModule.forRootAsync: `useFactory` must be a function/,
    );
    expect(() =>
      CachewiseModule.forRootAsync({ useFactory: () => ({ store: memoryStore() }), inject: 'x' } as never),
    ).toThrow(/`inject` must be an array/);
    expect(() =>
      CachewiseModule.forRootAsync({ useFactory: () => ({ store: memoryStore() }), imports: {} } as never),
    ).toThrow(/`imports` must be an array/);
    expect(() =>
      CachewiseModule.forRootAsync({ useFactory: () => ({ store: memoryStore() }), namespace: 'x' } as never),
    ).toThrow(/unknown option 'namespace'/);
    expect(() => UseCache('')).toThrow(/@UseCache: `name` must be a non-empty string/);
  });

  it("at forRoot: the cache's unknown options, setAsDefault, and a store that is not one", () => {
    const forRoot = (options: object) => () => CachewiseModule.forRoot(options as never);
    expect(forRoot({ store: memoryStore(), ttll: '1m' })).toThrow(CacheOptionsError);
    expect(forRoot({ store: memoryStore(), ttll: '1m' })).toThrow(
      /^CachewiseModule.forRoot: unknown option 'ttll'. Known options: store, namespace, ttl, .*name, isGlobal$/,
    );
    expect(forRoot({ store: memoryStore(), setAsDefault: true })).toThrow(
      /CachewiseModule.forRoot: `setAsDefault` is not an option here/,
    );
    expect(forRoot({ namespace: 'x' })).toThrow(/CachewiseModule.forRoot: `store` is required/);
    expect(forRoot({ store: 'redis' })).toThrow(
      /CachewiseModule.forRoot: `store` must be a store such as memoryStore\(\) or redisStore\(\{ client \}\), or a function returning one; got "redis"/,
    );
    class Redis {}
    expect(forRoot({ store: new Redis() })).toThrow(/`store` must be a store .*; got an instance of Redis/);
    expect(forRoot({ store: {} })).toThrow(/`store` must be a store .*; got an object/);
  });

  it("when the application starts: what a store function or forRootAsync's useFactory returns", async () => {
    const start = (module: DynamicModule) => {
      @Module({ imports: [module] })
      class App {}
      return context(App);
    };
    await expect(start(CachewiseModule.forRoot({ store: async () => memoryStore() } as never))).rejects.toThrow(
      /CachewiseModule.forRoot: the `store` function returned a promise; it must return the store itself \(build it in forRootAsync's useFactory to wait for something first\)/,
    );
    await expect(start(CachewiseModule.forRoot({ store: () => ({}) } as never))).rejects.toThrow(
      /CachewiseModule.forRoot: the `store` function must return a store such as memoryStore\(\).*; got an object/,
    );
    const forRootAsync = (result: unknown) =>
      start(CachewiseModule.forRootAsync({ useFactory: () => result as never }));
    await expect(forRootAsync({ store: memoryStore(), name: 'other' })).rejects.toThrow(
      /CachewiseModule.forRootAsync: useFactory returned `name`, which goes to forRootAsync itself: forRootAsync\(\{ name, useFactory \}\)/,
    );
    await expect(forRootAsync({ store: memoryStore(), isGlobal: true })).rejects.toThrow(
      /CachewiseModule.forRootAsync: useFactory returned `isGlobal`, which goes to forRootAsync itself/,
    );
    await expect(forRootAsync({ store: memoryStore(), foo: 1 })).rejects.toThrow(
      /^CachewiseModule.forRootAsync: useFactory returned an unknown option 'foo'. Known options: store, namespace, ttl, /,
    );
    await expect(forRootAsync(undefined)).rejects.toThrow(
      /CachewiseModule.forRootAsync: useFactory must return the cache's options, an object; got undefined/,
    );
    await expect(forRootAsync({ store: 5 })).rejects.toThrow(/CachewiseModule.forRootAsync: `store` must be a store/);
    // The cache's own options name the call and, for a named cache, its name.
    await expect(
      start(CachewiseModule.forRoot({ name: 'pages', store: () => memoryStore(), ttl: 'soon' as never })),
    ).rejects.toThrow(/^CachewiseModule.forRoot\(\{ name: 'pages' \}\): `ttl` /);
    await expect(forRootAsync({ store: memoryStore(), jitter: 5 })).rejects.toThrow(
      /^CachewiseModule.forRootAsync: `jitter` must be a number/,
    );
  });

  it('passes an error thrown by useFactory or the store function through as it is', async () => {
    const boom = new Error('config service down');
    const start = (module: DynamicModule) => {
      @Module({ imports: [module] })
      class App {}
      return context(App);
    };
    await expect(start(CachewiseModule.forRootAsync({ useFactory: () => Promise.reject(boom) }))).rejects.toBe(boom);
    await expect(
      start(
        CachewiseModule.forRoot({
          store: () => {
            throw boom;
          },
        }),
      ),
    ).rejects.toBe(boom);
  });

  it("when the application starts: the cache's own options, duplicates, an unknown @UseCache name", async () => {
    @Module({ imports: [CachewiseModule.forRoot({ store: memoryStore(), ttl: 'soon' as never })] })
    class BadTtl {}
    await expect(context(BadTtl)).rejects.toThrow(/`ttl`/);
    await expect(context(BadTtl)).rejects.toBeInstanceOf(CacheOptionsError);

    @Module({
      imports: [CachewiseModule.forRootAsync({ useFactory: () => ({ store: memoryStore(), jitter: 5 }) })],
    })
    class BadAsync {}
    await expect(context(BadAsync)).rejects.toThrow(/`jitter`/);

    @Module({
      imports: [
        CachewiseModule.forRoot({ store: () => memoryStore() }),
        CachewiseModule.forRoot({ store: () => memoryStore() }),
      ],
    })
    class TwoUnnamed {}
    await expect(context(TwoUnnamed)).rejects.toThrow(/already has an unnamed cache; give the others a `name`/);

    @Module({
      imports: [
        CachewiseModule.forRoot({ name: 'twice', store: () => memoryStore() }),
        CachewiseModule.forRoot({ name: 'twice', store: () => memoryStore() }),
      ],
    })
    class TwoNamed {}
    await expect(context(TwoNamed)).rejects.toThrow(/already has a cache named 'twice'; each `name` is used once/);

    @Injectable()
    class Misspelt {
      constructor(@InjectCache('sesions') readonly sessions: Cache) {}
    }
    @Module({ imports: [CachewiseModule.forRoot({ store: () => memoryStore() })], providers: [Misspelt] })
    class InjectsMissing {}
    await expect(context(InjectsMissing)).rejects.toThrow(
      /Nest can't resolve dependencies of the Misspelt \(\?\)\. Please make sure that the argument "cachewise:cache:sesions" at index \[0\]/,
    );

    @Module({ imports: [CachewiseModule.forRoot({ store: () => memoryStore() })], providers: [Sessions] })
    class NoSessions {}
    await expect(context(NoSessions)).rejects.toThrow(
      /@UseCache\('sessions'\) on Sessions: this application has no cache named 'sessions'/,
    );
  });
});

describe('shutdown', () => {
  it('closes the caches it created when the application closes', async () => {
    @Module({
      imports: [
        CachewiseModule.forRoot({ store: () => memoryStore() }),
        CachewiseModule.forRoot({ name: 'sessions', store: () => memoryStore() }),
      ],
      providers: [Injected, Users],
    })
    class App {}
    const app = await context(App);
    const { byClass, sessions } = app.get(Injected);
    expect(byClass.closed).toBe(false);
    await app.close();
    expect(byClass.closed).toBe(true);
    expect(sessions.closed).toBe(true);
    // A closed cache answers decorated calls uncached.
    const users = app.get(Users);
    await users.find(1);
    await users.find(1);
    expect(users.loads).toBe(2);
  });

  it('closes a store two of its caches share once, with the last of them; closing again does nothing', async () => {
    const shared = faultStore();
    @Module({
      imports: [
        CachewiseModule.forRoot({ store: shared, namespace: 'first' }),
        CachewiseModule.forRoot({ name: 'second', store: shared, namespace: 'second' }),
      ],
    })
    class App {}
    const app = await context(App);
    const first = app.get(Cache);
    const second = app.get<Cache>(getCacheToken('second'));
    await first.set('k', 1);
    await second.set('k', 2);
    expect([await first.get('k'), await second.get('k')]).toEqual([1, 2]);
    await app.close();
    await app.close();
    expect([first.closed, second.closed]).toEqual([true, true]);
    expect(shared.log.filter((op) => op === 'close')).toEqual(['close']);
  });
});
