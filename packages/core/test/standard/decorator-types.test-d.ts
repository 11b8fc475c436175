// Type tests, TC39 standard decorators (this folder's tsconfig: no experimentalDecorators),
// the twin of ../decorator-types.test-d.ts, which also covers methodKey and cached().
// Checked by `pnpm typecheck`: every `@ts-expect-error` must meet an error, or tsc fails.
import { type Cache, Cached, Invalidates, methodKey } from '@cachewise/core';

interface User {
  id: number;
  name: string;
}
declare const user: User;

// Options that fit the method compile, in every form.
export class Fits {
  // Result-dependent freshness: a ttl function and result tags, typed from the method;
  // the stale-serving options.
  @Cached({
    ttl: (found: User | null, id: number) => (found === null || id < 0 ? '10s' : '5m'),
    resultTags: (found: User | null) => (found === null ? [] : [`user:${found.id}`]),
    staleWhileRevalidate: '1m',
    staleIfError: '1h',
    earlyRefresh: { beta: 2 },
  })
  async findFresh(id: number): Promise<User | null> {
    return id === 0 ? null : user;
  }

  @Cached({ ttl: '5m', tags: (id: number) => [`user:${id}`] })
  async findById(id: number): Promise<User | null> {
    return id === 0 ? null : user;
  }

  // A wider parameter type, fewer parameters, and options of different arities.
  @Cached({
    tags: (id: number | string) => [`user:${id}`],
    key: (id: number, lang: string) => `user:${id}:${lang}`,
    condition: () => true,
  })
  async findLocalized(id: number, lang: string): Promise<User> {
    return { ...user, id, name: lang };
  }

  // `unless` takes the awaited result, then the arguments.
  @Cached({ unless: (found: User | null, id: number) => found === null || id < 0 })
  async findOrNull(id: number): Promise<User | null> {
    return id === 0 ? null : user;
  }

  // Plain arrays, a ttl, or nothing at all.
  @Cached({ tags: ['users'] })
  async all(): Promise<User[]> {
    return [user];
  }

  @Cached('30s')
  async count(): Promise<number> {
    return 1;
  }

  @Cached()
  async roles(): Promise<string[]> {
    return [];
  }

  // Unannotated parameters are not checked (they are `any`), as before.
  @Cached({ tags: (id) => [`user:${String(id)}`], cache: (self: Fits) => self.cache })
  async byUnannotated(id: number): Promise<number> {
    return id;
  }

  @Cached({ ttl: '1m', cache: (cls: typeof Fits) => cls.shared })
  static async load(name: string): Promise<string> {
    return name;
  }

  // Any PromiseLike will do: callers get a real Promise from the wrapper.
  @Cached()
  thenable(id: number): PromiseLike<number> {
    return Promise.resolve(id);
  }

  @Invalidates({ tags: (id: number) => [`user:${id}`], keys: (id: number) => [methodKey(Fits, 'findById', id)] })
  async rename(id: number, name: string): Promise<void> {
    void id;
    void name;
  }

  @Invalidates({ tags: ['users'], before: true, mode: 'expire' })
  async clearAll(): Promise<void> {}

  static shared: Cache;

  constructor(readonly cache: Cache) {}
}

// Each option function is checked against the method's parameters.
export class Mismatches {
  // @ts-expect-error -- a `ttl` function takes the awaited result, which may be null
  @Cached({ ttl: (found: User) => (found.id === 0 ? '1s' : '1m') })
  async byTtl(id: number): Promise<User | null> {
    return id === 0 ? null : user;
  }

  // @ts-expect-error -- `resultTags` gets the result first, then the arguments
  @Cached({ resultTags: (found: User, id: string) => [`${found.id}:${id}`] })
  async byResultTags(id: number): Promise<User> {
    return { ...user, id };
  }

  // @ts-expect-error -- `earlyRefresh` is true, false or { beta }
  @Cached({ earlyRefresh: 'yes' })
  async byEarly(): Promise<number> {
    return 1;
  }

  // @ts-expect-error -- `tags` takes a string, the method a number
  @Cached({ tags: (id: string) => [id] })
  async findById(id: number): Promise<User> {
    return { ...user, id };
  }

  // @ts-expect-error -- `key` needs a second argument the method does not have
  @Cached({ key: (id: number, lang: string) => `${id}:${lang}` })
  async byKey(id: number): Promise<User> {
    return { ...user, id };
  }

  // @ts-expect-error -- `condition` takes a string
  @Cached({ condition: (q: string) => q.length > 0 })
  async byCondition(limit: number): Promise<number> {
    return limit;
  }

  // @ts-expect-error -- `unless` must accept the awaited result, which may be null
  @Cached({ unless: (found: User) => found.id === 0 })
  async byUnless(id: number): Promise<User | null> {
    return id === 0 ? null : user;
  }

  // @ts-expect-error -- `unless` gets the result first, then the arguments
  @Cached({ unless: (found: User | null, id: string) => found === null || id === '' })
  async byUnlessArgs(id: number): Promise<User | null> {
    return id === 0 ? null : user;
  }

  // @ts-expect-error -- `unless` gets the awaited result, not the promise
  @Cached({ unless: (found: Promise<User>) => found === undefined })
  async byUnlessPromise(id: number): Promise<User> {
    return { ...user, id };
  }

  // @ts-expect-error -- a misspelt option
  @Cached({ ttl: '5m', tag: ['users'] })
  async misspelt(): Promise<number> {
    return 1;
  }

  // @ts-expect-error -- callers of a cached method always get a Promise
  @Cached()
  findSync(id: number): number {
    return id;
  }

  // @ts-expect-error -- static methods are checked too
  @Cached({ tags: (name: number) => [String(name)] })
  static async load(name: string): Promise<string> {
    return name;
  }

  // @ts-expect-error -- `cache` gets the instance, and this is another class
  @Cached({ cache: (self: Fits) => self.cache })
  async byOtherCache(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error -- a static method's `cache` function gets the class, not an instance
  @Cached({ cache: (self: Fits) => self.cache })
  static async staticCache(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error -- @Invalidates checks `cache` the same way
  @Invalidates({ tags: ['users'], cache: (self: Fits) => self.cache })
  async invalidatesOtherCache(): Promise<void> {}

  // @ts-expect-error -- @Invalidates `tags` takes a string
  @Invalidates({ tags: (id: string) => [id] })
  async rename(id: number): Promise<void> {
    void id;
  }

  // @ts-expect-error -- @Invalidates `keys` takes a number, the method a string
  @Invalidates({ keys: (id: number) => [methodKey(Fits, 'findById', id)] })
  async remove(id: string): Promise<void> {
    void id;
  }

  // @ts-expect-error -- an invalidating method's callers get a Promise too
  @Invalidates({ tags: ['users'] })
  save(): void {}

  // @ts-expect-error -- a misspelt @Invalidates option
  @Invalidates({ tags: ['users'], after: true })
  async misspeltInvalidates(): Promise<void> {}
}

// methodKey names the entries of a class decorated with standard decorators the same way.
methodKey(Fits, 'findById', 1);
methodKey(Fits, 'load', 'settings');
// @ts-expect-error -- a typo in the method name
methodKey(Fits, 'findByld', 1);
// @ts-expect-error -- a wrong argument type
methodKey(Fits, 'findById', '1');
