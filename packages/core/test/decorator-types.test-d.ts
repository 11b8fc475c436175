// Type tests, legacy `experimentalDecorators` (this folder's tsconfig). Checked by
// `pnpm typecheck`: every `@ts-expect-error` must meet an error, or tsc fails. Nothing
// here runs; packages/core/test/standard/decorator-types.test-d.ts has the TC39 twin.

import {
  type Cache,
  Cached,
  type CachedOptions,
  cached,
  cachedIn,
  type EntryRef,
  Invalidates,
  methodKey,
} from '@cachewise/core';
import { expectTypeOf } from 'vitest';

interface User {
  id: number;
  name: string;
}
declare const user: User;
declare const cache: Cache;

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

// methodKey: typed from the class's instance and static methods.
expectTypeOf(methodKey(Fits, 'findById', 1)).toEqualTypeOf<EntryRef>();
methodKey(Fits, 'findLocalized', 1, 'en');
methodKey(Fits, 'load', 'settings'); // static
class Child extends Fits {}
methodKey(Child, 'findById', 1); // inherited
// @ts-expect-error -- a typo in the method name
methodKey(Fits, 'findByld', 1);
// @ts-expect-error -- a wrong argument type
methodKey(Fits, 'findById', '1');
// @ts-expect-error -- a missing argument
methodKey(Fits, 'findLocalized', 1);
// @ts-expect-error -- a property that is not a method
methodKey(Fits, 'cache');
// @ts-expect-error -- a static method's parameters are checked as well
methodKey(Fits, 'load', 1);

export class Scoped {
  @Cached()
  static async find(name: string): Promise<string> {
    return name;
  }

  // A static and an instance method of one name: methodKey names the instance method.
  @Cached()
  async find(id: number): Promise<number> {
    return id;
  }

  @Cached({ key: (id: number) => `hidden:${id}` })
  private async hidden(id: number): Promise<number> {
    return id;
  }

  async useHidden(id: number): Promise<number> {
    return this.hidden(id);
  }
}
methodKey(Scoped, 'find', 1);
// @ts-expect-error -- the instance method takes a number
methodKey(Scoped, 'find', 'name');
// @ts-expect-error -- TypeScript leaves private methods out of the class's type
methodKey(Scoped, 'hidden', 1);

// cached(fn, options): options are typed from fn, so unannotated parameters are inferred.
const findUser = cached(async (id: number) => ({ ...user, id }), {
  name: 'findUser',
  tags: (id) => {
    expectTypeOf(id).toEqualTypeOf<number>();
    return [`user:${id}`];
  },
  unless: (found, id) => {
    expectTypeOf(found).toEqualTypeOf<User>();
    expectTypeOf(id).toEqualTypeOf<number>();
    return false;
  },
});
expectTypeOf(findUser).parameters.toEqualTypeOf<[id: number]>();
expectTypeOf(findUser).returns.toEqualTypeOf<Promise<User>>();
expectTypeOf(findUser.keyFor).parameters.toEqualTypeOf<[id: number]>();
cached(async (id: number) => id, { name: 'plain', tags: ['t'] });
cached(async (id: number) => id, {
  name: 'wrongTags',
  // @ts-expect-error -- `tags` takes a string, the function a number
  tags: (id: string) => [id],
});
cached(async (id: number) => id, {
  name: 'wrongKey',
  // @ts-expect-error -- `key` takes the function's parameters
  key: (id: number, lang: string) => `${id}${lang}`,
});
cached(async (id: number) => id, {
  name: 'wrongUnless',
  // @ts-expect-error -- `unless` takes the awaited result, a number
  unless: (found: string) => found === '',
});
// @ts-expect-error -- a misspelt option
cached(async (id: number) => id, { name: 'misspelt', tll: '5m' });
// @ts-expect-error -- keyFor takes the function's parameters
findUser.keyFor('1');
cachedIn(cache, async (id: number) => id, {
  name: 'inCache',
  // @ts-expect-error -- cachedIn checks its options the same way
  condition: (id: string) => id !== '',
});

// Options typed only as CachedOptions take `any` arguments: nothing to check.
const loose: CachedOptions = { tags: (id: string) => [id] };
export class Loose {
  @Cached(loose)
  async findById(id: number): Promise<number> {
    return id;
  }
}

// Options typed ahead of time with the method's parameters are checked like literals.
const numberTags: CachedOptions<[id: number]> = { tags: (id) => [`user:${id}`] };
export class Declared {
  @Cached(numberTags)
  async findById(id: number): Promise<number> {
    return id;
  }

  // @ts-expect-error -- options declared for a number parameter, on a method taking a string
  @Cached(numberTags)
  async findByName(name: string): Promise<string> {
    return name;
  }
}
