import 'reflect-metadata';
import { Cached, type CacheLogger, createCache, isCacheOptionsError, setDefaultCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

class Order {
  constructor(readonly id: number) {}
}

let processWarnings: Error[] = [];
const onWarning = (warning: Error) => {
  if (warning.name === 'CachewiseWarning') processWarnings.push(warning);
};
beforeEach(() => {
  processWarnings = [];
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
  setDefaultCache(undefined);
});

/** Lets queued 'warning' events (emitted on the next tick) arrive. */
const nextTick = () => new Promise((resolve) => process.nextTick(resolve));

/** A logger in the shape of pino's and winston's: one method per level, lines recorded. */
function recordingLogger(): CacheLogger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    warn: (message: string) => lines.push(['warn', message]),
    error: (message: string) => lines.push(['error', message]),
    info: (message: string) => lines.push(['info', message]),
    debug: (message: string) => lines.push(['debug', message]),
  };
}

describe('logger', () => {
  it('takes the uncacheable-result warning instead of a process warning, once per method', async () => {
    const logger = recordingLogger();
    createCache({ store: memoryStore({ serialize: true }), namespace: 'log1', logger, setAsDefault: true });
    class OrdersLogged {
      @Cached()
      async find(id: number): Promise<Order> {
        return new Order(id);
      }
    }
    const orders = new OrdersLogged();
    expect(await orders.find(1)).toEqual(new Order(1));
    await orders.find(2);
    await nextTick();
    expect(processWarnings).toHaveLength(0);
    expect(logger.lines).toHaveLength(1);
    const [level, message] = logger.lines[0]!;
    expect(level).toBe('warn');
    expect(message).toMatch(/^CACHEWISE_UNCACHEABLE: OrdersLogged\.find returned a value the memory store cannot hold/);
    expect(message).toContain("createJsonSerializer({ classes: [{ name: 'Order', type: Order }] })");
  });

  it('takes the warning about a ttl function that gave an unusable answer', async () => {
    const logger = recordingLogger();
    createCache({ store: memoryStore(), namespace: 'log2', logger, setAsDefault: true });
    class PricesLogged {
      @Cached({ ttl: () => 'soon' as never })
      async of(sku: string): Promise<number> {
        return sku.length;
      }
    }
    expect(await new PricesLogged().of('abc')).toBe(3);
    await nextTick();
    expect(processWarnings).toHaveLength(0);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]![0]).toBe('warn');
    expect(logger.lines[0]![1]).toMatch(/^CACHEWISE_OPTION_RESULT: PricesLogged\.of: /);
  });

  it('leaves the default unchanged: a process warning without a logger', async () => {
    createCache({ store: memoryStore({ serialize: true }), namespace: 'log3', setAsDefault: true });
    class OrdersUnlogged {
      @Cached()
      async find(id: number): Promise<Order> {
        return new Order(id);
      }
    }
    await new OrdersUnlogged().find(1);
    await nextTick();
    expect(processWarnings).toHaveLength(1);
    expect(processWarnings[0]!.message).toContain('OrdersUnlogged.find');
  });

  it('ignores a logger that throws: the call still answers', async () => {
    const logger: CacheLogger = {
      warn: () => {
        throw new Error('log sink down');
      },
      error: () => {},
    };
    createCache({ store: memoryStore({ serialize: true }), namespace: 'log4', logger, setAsDefault: true });
    class OrdersBrokenLog {
      @Cached()
      async find(id: number): Promise<Order> {
        return new Order(id);
      }
    }
    expect(await new OrdersBrokenLog().find(7)).toEqual(new Order(7));
  });

  it('ignores a logger whose warn returns a promise that rejects: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const logger: CacheLogger = {
        warn: async () => {
          throw new Error('log sink rejected');
        },
        error: () => {},
      };
      createCache({ store: memoryStore({ serialize: true }), namespace: 'log5', logger, setAsDefault: true });
      class OrdersAsyncLog {
        @Cached()
        async find(id: number): Promise<Order> {
          return new Order(id);
        }
      }
      expect(await new OrdersAsyncLog().find(8)).toEqual(new Order(8));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it.each([
    ['a string', 'warn'],
    ['no error()', { warn: () => {} }],
    ['a non-function info', { warn: () => {}, error: () => {}, info: 'verbose' }],
    ['null', null],
  ])('refuses %s, naming `logger` and what is valid', (_, logger) => {
    let thrown: unknown;
    try {
      createCache({ store: memoryStore(), logger: logger as unknown as CacheLogger });
    } catch (error) {
      thrown = error;
    }
    expect(isCacheOptionsError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/`logger` must be a logger with warn\(message\) and error\(message\)/);
  });

  it('accepts console, whose methods take a string', () => {
    expect(() => createCache({ store: memoryStore(), logger: console })).not.toThrow();
  });
});
