import 'reflect-metadata';
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import {
  CACHE_CHANNELS,
  type CacheChannelMessage,
  Cached,
  createCache,
  isCacheOptionsError,
  LOAD_TRACING_CHANNEL,
  type LoadTraceContext,
  STORE_TRACING_CHANNEL,
  type StoreTraceContext,
  setDefaultCache,
} from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { faultStore } from './fault-store.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  setDefaultCache(undefined);
});

function listen(name: keyof typeof CACHE_CHANNELS): unknown[] {
  const seen: unknown[] = [];
  const onMessage = (message: unknown): void => {
    seen.push(message);
  };
  subscribe(CACHE_CHANNELS[name], onMessage);
  cleanups.push(() => unsubscribe(CACHE_CHANNELS[name], onMessage));
  return seen;
}

describe('diagnostics_channel', () => {
  it('names one channel per event, cachewise:<event>', () => {
    expect(CACHE_CHANNELS).toEqual({
      hit: 'cachewise:hit',
      miss: 'cachewise:miss',
      stale: 'cachewise:stale',
      refresh: 'cachewise:refresh',
      lock: 'cachewise:lock',
      set: 'cachewise:set',
      invalidate: 'cachewise:invalidate',
      breaker: 'cachewise:breaker',
      queue: 'cachewise:queue',
      bus: 'cachewise:bus',
      error: 'cachewise:error',
    });
    expect(LOAD_TRACING_CHANNEL).toBe('cachewise:load');
    expect(STORE_TRACING_CHANNEL).toBe('cachewise:store');
  });

  it('publishes miss, set, hit, invalidate and error with the namespace, label and key', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'dc', jitter: 0, ttl: '1m', setAsDefault: true });
    const misses = listen('miss');
    const hits = listen('hit');
    const sets = listen('set');
    const invalidations = listen('invalidate');
    const errors = listen('error');
    class Users {
      @Cached({ tags: (id: number) => [`user:${id}`] })
      async find(id: number): Promise<string> {
        if (id < 0) throw new Error('no such user');
        return `user ${id}`;
      }
    }
    const users = new Users();
    await users.find(1);
    await users.find(1);
    await cache.invalidateTags(['user:1']);
    await expect(users.find(-1)).rejects.toThrow('no such user');
    expect(misses).toEqual([
      { namespace: 'dc', key: 'dc:m:Users.find:n1', label: 'Users.find' },
      { namespace: 'dc', key: 'dc:m:Users.find:n-1', label: 'Users.find' },
    ]);
    expect(hits).toEqual([{ namespace: 'dc', key: 'dc:m:Users.find:n1', label: 'Users.find' }]);
    expect(sets).toEqual([{ namespace: 'dc', key: 'dc:m:Users.find:n1', label: 'Users.find', ttlMs: 60_000 }]);
    expect(invalidations).toHaveLength(1);
    expect(invalidations[0]).toMatchObject({ namespace: 'dc', keys: [], mode: 'delete' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ namespace: 'dc', kind: 'load', key: 'dc:m:Users.find:n-1', label: 'Users.find' });
    expect((errors[0] as CacheChannelMessage<'error'>).error).toBeInstanceOf(Error);
  });

  it('publishes nothing once unsubscribed, and only on the channels subscribed', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'dc2', jitter: 0, ttl: '1m' });
    const hits = listen('hit');
    const load = (): Promise<number> => Promise.resolve(1);
    await cache.wrap('a', load);
    await cache.wrap('a', load);
    expect(hits).toHaveLength(1);
    for (const cleanup of cleanups.splice(0)) cleanup();
    await cache.wrap('a', load);
    expect(hits).toHaveLength(1);
  });

  it('traces loads: start, end, asyncStart, asyncEnd with the result, error on a failure', async () => {
    createCache({ store: memoryStore(), namespace: 'tr', jitter: 0, ttl: '1m', setAsDefault: true });
    const seen: Array<[string, LoadTraceContext]> = [];
    const channel = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);
    const handlers = {
      start: (context: LoadTraceContext) => seen.push(['start', { ...context }]),
      end: (context: LoadTraceContext) => seen.push(['end', { ...context }]),
      asyncStart: (context: LoadTraceContext) => seen.push(['asyncStart', { ...context }]),
      asyncEnd: (context: LoadTraceContext) => seen.push(['asyncEnd', { ...context }]),
      error: (context: LoadTraceContext) => seen.push(['error', { ...context }]),
    };
    channel.subscribe(handlers);
    cleanups.push(() => channel.unsubscribe(handlers));
    const failure = new Error('down');
    class Prices {
      @Cached()
      async of(sku: string): Promise<number> {
        if (sku === 'bad') throw failure;
        return 42;
      }
    }
    const prices = new Prices();
    await prices.of('a');
    await prices.of('a'); // a hit: no load
    await expect(prices.of('bad')).rejects.toBe(failure);
    const at = { namespace: 'tr', label: 'Prices.of', key: 'tr:m:Prices.of:s"a"' };
    const bad = { namespace: 'tr', label: 'Prices.of', key: 'tr:m:Prices.of:s"bad"' };
    expect(seen).toEqual([
      ['start', at],
      ['end', at],
      ['asyncStart', { ...at, result: 42 }],
      ['asyncEnd', { ...at, result: 42 }],
      ['start', bad],
      ['end', bad],
      ['error', { ...bad, error: failure }],
      ['asyncStart', { ...bad, error: failure }],
      ['asyncEnd', { ...bad, error: failure }],
    ]);
  });

  it('traces a @Cached method that returned no promise as a failed load, as stats() counts it', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'np', setAsDefault: true });
    const ends: LoadTraceContext[] = [];
    const channel = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);
    const noop = (): void => {};
    const handlers = {
      start: noop,
      end: noop,
      asyncStart: noop,
      asyncEnd: (context: LoadTraceContext) => ends.push({ ...context }),
      error: noop,
    };
    channel.subscribe(handlers);
    cleanups.push(() => channel.unsubscribe(handlers));
    class Sync {
      @Cached()
      find(): Promise<number> {
        return 7 as unknown as Promise<number>;
      }
    }
    await expect(new Sync().find()).rejects.toThrow(/Sync\.find returned 7, not a Promise/);
    expect(ends).toHaveLength(1);
    expect('result' in ends[0]!).toBe(false);
    expect(isCacheOptionsError(ends[0]!.error)).toBe(true);
    expect(cache.stats().byMethod['Sync.find']).toMatchObject({ loads: 1, loadErrors: 1 });
  });

  it("traces a load under its byMethod row: '#other' past maxLabels labels", async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'cap', maxLabels: 2 });
    const labels: Array<[string, string]> = [];
    const channel = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);
    const noop = (): void => {};
    const handlers = {
      start: (context: LoadTraceContext) => labels.push([context.label, context.key]),
      end: noop,
      asyncStart: noop,
      asyncEnd: noop,
      error: noop,
    };
    channel.subscribe(handlers);
    cleanups.push(() => channel.unsubscribe(handlers));
    for (const name of ['First.load', 'Second.load', 'Third.load', 'First.load']) {
      await cache.wrap(name, async () => 1, { name });
    }
    expect(labels).toEqual([
      ['First.load', 'cap:k:First.load'],
      ['Second.load', 'cap:k:Second.load'],
      ['#other', 'cap:k:Third.load'],
    ]);
    expect(Object.keys(cache.stats().byMethod)).toEqual(['First.load', 'Second.load', '#other']);
  });

  it('runs the loader inside the stores a tracer binds to start, so its context reaches the loader', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'als', jitter: 0, ttl: '1m' });
    const store = new AsyncLocalStorage<string>();
    const channel = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);
    channel.start.bindStore(store, (context) => `span of ${context.label}`);
    const noop = (): void => {};
    const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
    channel.subscribe(handlers);
    cleanups.push(() => {
      channel.unsubscribe(handlers);
      channel.start.unbindStore(store);
    });
    const inside = await cache.wrap('k', async () => store.getStore(), { name: 'Report.build' });
    expect(inside).toBe('span of Report.build');
  });

  it('traces store operations: each read, tag read, write, delete and tag invalidation, sync answers staying sync', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'st', jitter: 0, ttl: '1m' });
    const other = createCache({ store: memoryStore(), namespace: 'st-other', jitter: 0, ttl: '1m' });
    const seen: string[] = [];
    const channel = tracingChannel<unknown, StoreTraceContext>(STORE_TRACING_CHANNEL);
    const note =
      (phase: string) =>
      (operation: StoreTraceContext): void => {
        if (operation.namespace !== 'st') return;
        const failed = 'error' in operation ? ' !' : '';
        seen.push(
          `${phase} ${operation.store}.${operation.operation}${operation.key ? ` ${operation.key}` : ''}${failed}`,
        );
      };
    const handlers = {
      start: note('start'),
      end: note('end'),
      asyncStart: note('asyncStart'),
      asyncEnd: note('asyncEnd'),
      error: note('error'),
    };
    channel.subscribe(handlers);
    cleanups.push(() => channel.unsubscribe(handlers));
    await cache.wrap('k', async () => 1, { tags: ['t'] }); // a miss: read, then write
    seen.push('--');
    await cache.wrap('k', async () => 1, { tags: ['t'] }); // a hit: one read
    seen.push('--');
    await cache.invalidateTags(['t']);
    await cache.delete('k');
    await other.wrap('k', async () => 1); // another namespace's operations are its own
    const each = (operation: string): string[] =>
      ['start', 'end', 'asyncStart', 'asyncEnd'].map((phase) => `${phase} memory.${operation}`);
    expect(seen).toEqual([
      ...each('read st:k:k'),
      ...each('write st:k:k'),
      '--',
      ...each('read st:k:k'),
      '--',
      ...each('invalidateTags'),
      ...each('delete'),
    ]);
  });

  it('traces a failed store operation with its error, and runs it inside the stores a tracer binds to start', async () => {
    const store = faultStore();
    const cache = createCache({ store, namespace: 'stf', jitter: 0, ttl: '1m', circuitBreaker: false });
    const failures: unknown[] = [];
    const als = new AsyncLocalStorage<string>();
    const channel = tracingChannel<unknown, StoreTraceContext>(STORE_TRACING_CHANNEL);
    channel.start.bindStore(als, (operation) => `span of ${operation.operation}`);
    const noop = (): void => {};
    const handlers = {
      start: noop,
      end: noop,
      asyncStart: noop,
      asyncEnd: (operation: StoreTraceContext) => {
        if ('error' in operation) failures.push(operation.error);
      },
      error: noop,
    };
    channel.subscribe(handlers);
    cleanups.push(() => {
      channel.unsubscribe(handlers);
      channel.start.unbindStore(als);
    });
    let inRead: string | undefined;
    const read = store.read.bind(store);
    store.read = ((key: string, tags: readonly string[]) => {
      inRead = als.getStore();
      return read(key, tags);
    }) as typeof store.read;
    store.mode.read = 'reject';
    expect(await cache.wrap('k', async () => 'loaded')).toBe('loaded'); // fail-open: the loader ran
    expect(inRead).toBe('span of read');
    expect(failures).toHaveLength(1);
    expect((failures[0] as Error).message).toBe('read failed (async)');
  });

  it("lets a subscriber's exception fail no call, and Node raise it as an uncaught exception (it ends the process)", () => {
    // A child process: in this one, an uncaught exception would end the test run.
    const script = `
      import { subscribe, tracingChannel } from 'node:diagnostics_channel';
      import { createCache } from '@cachewise/core';
      import { memoryStore } from '@cachewise/memory';
      if (process.env.HANDLED) process.on('uncaughtException', (error) => console.log('uncaught:', error.message));
      const cache = createCache({ store: memoryStore(), namespace: 'crash' });
      subscribe('cachewise:hit', () => { throw new Error('hit subscriber bug'); });
      const noop = () => {};
      tracingChannel('cachewise:load').subscribe({
        start: () => { throw new Error('load subscriber bug'); },
        end: noop, asyncStart: noop, asyncEnd: noop, error: noop,
      });
      console.log('loaded:', await cache.wrap('k', async () => 1));
      console.log('hit:', await cache.wrap('k', async () => 2));
      setTimeout(() => console.log('still running'), 10);
    `;
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, ...env },
        encoding: 'utf8',
      });
    // The calls answer; then the first exception, uncaught, ends the process.
    const crashed = run({});
    expect(crashed.stdout).toMatch(/^loaded: 1\n/);
    expect(crashed.stdout).not.toContain('still running');
    expect(crashed.stderr).toContain('Error: load subscriber bug');
    expect(crashed.status).toBe(1);
    const handled = run({ HANDLED: '1' });
    expect(handled.stdout.trim().split('\n').sort()).toEqual([
      'hit: 1',
      'loaded: 1',
      'still running',
      'uncaught: hit subscriber bug',
      'uncaught: load subscriber bug',
    ]);
    expect(handled.status).toBe(0);
  });
});
