import { Cached, createCache, type Store, setDefaultCache, tiered } from '@cachewise/core';
import { fakeClock, localBusHub } from '@cachewise/core/testing';
import { memoryStore } from '@cachewise/memory';
import { instrumentCache } from '@cachewise/otel';
import {
  context,
  type DiagLogger,
  diag,
  INVALID_SPAN_CONTEXT,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** A reader the test collects from when it wants, as an exporter's would on its interval. */
class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
  setDefaultCache(undefined);
});

/** Every data point of `name`, keyed `namespace|function` (plus `|error.type` when set). */
function points(collected: ResourceMetrics, name: string): Map<string, DataPoint<unknown>> {
  const found = new Map<string, DataPoint<unknown>>();
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints as DataPoint<unknown>[]) {
        const a = point.attributes;
        const id = [a['cache.namespace'], a['code.function'], a['error.type']].filter((p) => p !== undefined).join('|');
        found.set(id, point);
      }
    }
  }
  return found;
}

function values(collected: ResourceMetrics, name: string): Record<string, unknown> {
  return Object.fromEntries([...points(collected, name)].map(([id, point]) => [id, point.value]));
}

async function setup(namespace: string) {
  const clock = fakeClock();
  const cache = createCache({
    store: memoryStore(),
    namespace,
    ttl: '1m',
    staleWhileRevalidate: '1m',
    jitter: 0,
    clock,
    setAsDefault: true,
  });
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  stops.push(instrumentCache(cache, { meterProvider, tracerProvider }));
  const collect = async (): Promise<ResourceMetrics> => {
    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    return resourceMetrics;
  };
  return { cache, clock, collect, spans, tracerProvider };
}

describe('instrumentCache', () => {
  it('counts a scripted sequence per method, exactly', async () => {
    const { cache, clock, collect } = await setup('otel1');
    let refreshed!: () => void;
    const refresh = new Promise<void>((resolve) => {
      refreshed = resolve;
    });
    let calls = 0;
    class Users {
      @Cached()
      async find(id: number): Promise<string> {
        calls++;
        if (calls === 4) refreshed();
        if (id < 0) throw new Error('no such user');
        return `user ${id}`;
      }
    }
    const users = new Users();
    await users.find(1); // miss, load
    await users.find(1); // hit
    await users.find(2); // miss, load
    await expect(users.find(-1)).rejects.toThrow('no such user'); // miss, load, load error
    clock.advance(61_000);
    expect(await users.find(1)).toBe('user 1'); // stale while revalidating: a hit, stale, a refresh load
    await refresh;
    await cache.wrap('r', async () => 'report', { name: 'Report.build' }); // miss, load

    const collected = await collect();
    expect(values(collected, 'cachewise.calls')).toEqual({ 'otel1|Users.find': 5, 'otel1|Report.build': 1 });
    expect(values(collected, 'cachewise.hits')).toEqual({ 'otel1|Users.find': 2, 'otel1|Report.build': 0 });
    expect(values(collected, 'cachewise.misses')).toEqual({ 'otel1|Users.find': 3, 'otel1|Report.build': 1 });
    expect(values(collected, 'cachewise.stale')).toEqual({ 'otel1|Users.find': 1, 'otel1|Report.build': 0 });
    expect(values(collected, 'cachewise.loads')).toEqual({ 'otel1|Users.find': 4, 'otel1|Report.build': 1 });
    expect(values(collected, 'cachewise.load.errors')).toEqual({ 'otel1|Users.find': 1, 'otel1|Report.build': 0 });
    expect(values(collected, 'cachewise.lock.waits')).toEqual({ 'otel1|Users.find': 0, 'otel1|Report.build': 0 });
    expect(values(collected, 'cachewise.store.errors')).toEqual({ 'otel1|Users.find': 0, 'otel1|Report.build': 0 });
    expect(values(collected, 'cachewise.store.timeouts')).toEqual({ 'otel1|Users.find': 0, 'otel1|Report.build': 0 });
    expect(values(collected, 'cachewise.breaker.state')).toEqual({ otel1: 0 });

    const durations = points(collected, 'cachewise.load.duration');
    expect([...durations.keys()].sort()).toEqual(['otel1|Report.build', 'otel1|Users.find', 'otel1|Users.find|Error']);
    expect((durations.get('otel1|Users.find')!.value as Histogram).count).toBe(3);
    expect((durations.get('otel1|Users.find|Error')!.value as Histogram).count).toBe(1);
    expect((durations.get('otel1|Report.build')!.value as Histogram).count).toBe(1);
    // Buckets in seconds, from 1 ms to 10 s (not the SDK's default bounds, made for milliseconds).
    expect((durations.get('otel1|Users.find')!.value as Histogram).buckets.boundaries).toEqual([
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);

    // Counters are cumulative: a hit later shows on the next collection.
    await users.find(2);
    expect(values(await collect(), 'cachewise.hits')).toEqual({ 'otel1|Users.find': 3, 'otel1|Report.build': 0 });
  });

  it("times only its own cache's loads, and stops when told", async () => {
    const { collect } = await setup('otel2');
    const other = createCache({ store: memoryStore(), namespace: 'otel2-other' });
    await other.wrap('k', async () => 1, { name: 'Other.load' });
    expect(points(await collect(), 'cachewise.load.duration').size).toBe(0);
    for (const stop of stops.splice(0)) stop();
    const { cache, collect: collectAgain } = await setup('otel3');
    stops.splice(0)[0]!();
    await cache.wrap('k', async () => 1, { name: 'After.stop' });
    const collected = await collectAgain();
    expect(points(collected, 'cachewise.load.duration').size).toBe(0);
    expect(points(collected, 'cachewise.calls').size).toBe(0);
  });

  it("makes each load a span, a child of the caller's active span, failed when the load fails", async () => {
    const { spans, tracerProvider } = await setup('otel4');
    class Prices {
      @Cached()
      async of(sku: string): Promise<number> {
        if (sku === 'bad') throw new TypeError('unknown sku');
        return 42;
      }
    }
    const prices = new Prices();
    const tracer = tracerProvider.getTracer('app');
    const requestSpanId = await tracer.startActiveSpan('GET /prices', async (request) => {
      await prices.of('a');
      await prices.of('a'); // a hit: no span
      await expect(prices.of('bad')).rejects.toThrow('unknown sku');
      request.end();
      return request.spanContext().spanId;
    });
    const loads = spans.getFinishedSpans().filter((span) => span.name.startsWith('cachewise.load'));
    expect(loads.map((span) => span.name)).toEqual(['cachewise.load Prices.of', 'cachewise.load Prices.of']);
    for (const span of loads) {
      expect(span.parentSpanContext?.spanId).toBe(requestSpanId);
      expect(span.attributes).toEqual({ 'cache.namespace': 'otel4', 'code.function': 'Prices.of' });
    }
    expect(loads[0]!.status.code).toBe(0);
    expect(loads[1]!.status.code).toBe(2);
    expect(loads[1]!.events.map((event) => event.name)).toEqual(['exception']);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('with storeSpans, makes a span of each store operation under the caller’s span, failed when the store failed; none without it', async () => {
    const inner = memoryStore();
    const flaky: Store = {
      name: 'flaky',
      payload: 'live',
      read: (key, tags) => inner.read(key, tags),
      readTags: (tags) => inner.readTags(tags),
      write: (key) => {
        throw new Error(`disk full writing ${key}`);
      },
      delete: (keys) => inner.delete(keys),
      invalidateTags: (tags, mode) => inner.invalidateTags(tags, mode),
      close: () => inner.close(),
    };
    const cache = createCache({ store: flaky, namespace: 'otel9', jitter: 0, circuitBreaker: false });
    const quiet = createCache({ store: memoryStore(), namespace: 'otel10' });
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const meterProvider = new MeterProvider({ readers: [new TestReader()] });
    stops.push(instrumentCache(cache, { meterProvider, tracerProvider, storeSpans: true }));
    stops.push(instrumentCache(quiet, { meterProvider, tracerProvider }));
    const requestSpanId = await tracerProvider.getTracer('app').startActiveSpan('GET /k', async (request) => {
      expect(await cache.wrap('k', async () => 1, { name: 'Flaky.load' })).toBe(1); // the write fails: not cached
      await quiet.wrap('k', async () => 1, { name: 'Quiet.load' });
      request.end();
      return request.spanContext().spanId;
    });
    const stores = spans.getFinishedSpans().filter((span) => span.name.startsWith('cachewise.store'));
    expect(stores.map((span) => span.name)).toEqual(['cachewise.store read', 'cachewise.store write']);
    for (const span of stores) {
      expect(span.parentSpanContext?.spanId).toBe(requestSpanId);
      expect(span.kind).toBe(SpanKind.CLIENT);
    }
    expect(stores[0]!.attributes).toEqual({
      'cache.namespace': 'otel9',
      'cachewise.store.name': 'flaky',
      'cachewise.store.operation': 'read',
    });
    expect([stores[0]!.status.code, stores[1]!.status.code]).toEqual([SpanStatusCode.UNSET, SpanStatusCode.ERROR]);
    expect(stores[1]!.events.map((event) => event.name)).toEqual(['exception']);
    expect(() => instrumentCache(quiet, { storeSpans: 'yes' } as never)).toThrow(/`storeSpans` must be true or false/);
  });

  it('records cachewise.bus.lag, in seconds, for each change another server announced on a tiered store’s bus', async () => {
    const clock = fakeClock();
    const hub = localBusHub();
    const cache = createCache({
      store: tiered({ l1: memoryStore(), l2: memoryStore({ serialize: true }), bus: hub.bus(), clock }),
      namespace: 'otelbus',
      clock,
    });
    const reader = new TestReader();
    stops.push(instrumentCache(cache, { meterProvider: new MeterProvider({ readers: [reader] }) }));
    await new Promise((resolve) => setImmediate(resolve)); // subscribed
    const publish = (from: string, lagMs: number) =>
      hub
        .bus()
        .publish(
          'cachewise:1:cw',
          JSON.stringify({ v: 1, from, seq: 1, at: clock.now() - lagMs, op: 'keys', keys: ['otelbus:k:x'] }),
        );
    await publish('server-b', 12);
    await publish('server-c', 3);
    const { resourceMetrics } = await reader.collect();
    const lag = points(resourceMetrics, 'cachewise.bus.lag').get('otelbus')!.value as Histogram;
    expect([lag.count, lag.sum, lag.min, lag.max]).toEqual([2, 0.015, 0.003, 0.012]);
    await cache.close();
  });

  it("never lets a tracer's or meter's exception reach the load or the process: it goes to the diag logger", async () => {
    // Node re-raises a diagnostics_channel subscriber's exception as an uncaught exception,
    // which would end the process: each must be caught where it is thrown.
    const told: string[] = [];
    const record = (message: string) => told.push(message);
    const logger: DiagLogger = { error: record, warn: record, info: record, debug: record, verbose: record };
    diag.setLogger(logger);
    try {
      const cache = createCache({ store: memoryStore(), namespace: 'otel8' });
      const reader = new TestReader();
      const real = new MeterProvider({ readers: [reader] });
      const meterProvider = {
        getMeter(name: string) {
          const meter = real.getMeter(name);
          const histogram = {
            record() {
              throw new Error('histogram down');
            },
          };
          return Object.assign(Object.create(meter), { createHistogram: () => histogram });
        },
      };
      let started = 0;
      const tracer = {
        startSpan(): Span {
          started++;
          if (started === 1) throw new Error('tracer down');
          const span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
          return Object.assign(span, {
            end() {
              throw new Error('span sink down');
            },
          });
        },
      } as unknown as Tracer;
      stops.push(instrumentCache(cache, { meterProvider, tracerProvider: { getTracer: () => tracer } }));
      expect(await cache.wrap('a', async () => 1, { name: 'Broken.tracer' })).toBe(1);
      await expect(
        cache.wrap('b', async () => Promise.reject(new RangeError('load failed')), { name: 'Broken.span' }),
      ).rejects.toThrow('load failed');
      await new Promise((resolve) => setImmediate(resolve));
      expect(told).toEqual([
        '@cachewise/otel: starting a load span failed; the cache call itself is unaffected',
        '@cachewise/otel: recording cachewise.load.duration failed; the cache call itself is unaffected',
        '@cachewise/otel: recording cachewise.load.duration failed; the cache call itself is unaffected',
        '@cachewise/otel: ending a load span failed; the cache call itself is unaffected',
      ]);
      const { resourceMetrics } = await reader.collect();
      expect(values(resourceMetrics, 'cachewise.loads')).toEqual({ 'otel8|Broken.tracer': 1, 'otel8|Broken.span': 1 });
    } finally {
      diag.disable();
    }
  });

  it('refuses what is not a cache or not an option, naming it, and registers nothing', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'otel6' });
    const meterProvider = new MeterProvider({ readers: [new TestReader()] });
    const bad: Array<[unknown, unknown, RegExp]> = [
      [undefined, {}, /`cache` must be a cache made by createCache\(\); got undefined/],
      [memoryStore(), {}, /`cache` must be a cache/],
      [cache, null, /the options must be an object/],
      [
        cache,
        { meterprovider: meterProvider },
        /unknown option 'meterprovider'; the options are meterProvider, tracerProvider and storeSpans/,
      ],
      [cache, { meterProvider: {} }, /`meterProvider` must be an OpenTelemetry MeterProvider/],
      [cache, { meterProvider, tracerProvider: 'otlp' }, /`tracerProvider` must be an OpenTelemetry TracerProvider/],
    ];
    for (const [target, options, message] of bad) {
      expect(() => instrumentCache(target as never, options as never)).toThrow(message);
    }
    // None of them took the namespace: instrumenting it now works.
    stops.push(instrumentCache(cache, { meterProvider }));
  });

  it('refuses a second report of one namespace to one meter provider (loads would count twice), until the first stops', async () => {
    const { cache } = await setup('otel7');
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const stop = instrumentCache(cache, { meterProvider });
    const twin = createCache({ store: memoryStore(), namespace: 'otel7' });
    expect(() => instrumentCache(cache, { meterProvider })).toThrow(/namespace 'otel7' is already reported/);
    expect(() => instrumentCache(twin, { meterProvider })).toThrow(/namespace 'otel7' is already reported/);
    // Another provider (setup()'s) gets the same loads: each provider counts each load once.
    await cache.wrap('k', async () => 1, { name: 'Twice.load' });
    const { resourceMetrics } = await reader.collect();
    expect(values(resourceMetrics, 'cachewise.loads')).toEqual({ 'otel7|Twice.load': 1 });
    const histogram = points(resourceMetrics, 'cachewise.load.duration').get('otel7|Twice.load');
    expect((histogram!.value as Histogram).count).toBe(1);
    stop();
    stops.push(instrumentCache(twin, { meterProvider }));
  });

  it('makes one span a load when one cache is reported to two meter providers through one tracer provider', async () => {
    const { cache, collect, spans, tracerProvider } = await setup('otel9');
    const reader = new TestReader();
    const stop = instrumentCache(cache, { meterProvider: new MeterProvider({ readers: [reader] }), tracerProvider });
    stops.push(stop);
    await cache.wrap('a', async () => 1, { name: 'Both.load' });
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['cachewise.load Both.load']);
    const durations = [await collect(), (await reader.collect()).resourceMetrics].map(
      (collected) => (points(collected, 'cachewise.load.duration').get('otel9|Both.load')!.value as Histogram).count,
    );
    expect(durations).toEqual([1, 1]);
    // The first one stops: the second makes the spans from then on.
    stops.splice(0, 1)[0]!();
    await cache.wrap('b', async () => 2, { name: 'Both.load' });
    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual([
      'cachewise.load Both.load',
      'cachewise.load Both.load',
    ]);
  });

  it('keeps every metric within maxLabels + 1 series, however many wrap names', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'otel10', maxLabels: 10 });
    const reader = new TestReader();
    stops.push(instrumentCache(cache, { meterProvider: new MeterProvider({ readers: [reader] }) }));
    for (let i = 0; i < 100_000; i++) await cache.wrap(`k${i}`, async () => i, { name: `name-${i}` });
    const { resourceMetrics } = await reader.collect();
    const expected = [...Array.from({ length: 10 }, (_, i) => `otel10|name-${i}`), 'otel10|#other'].sort();
    for (const name of ['cachewise.calls', 'cachewise.loads', 'cachewise.load.duration']) {
      expect([...points(resourceMetrics, name).keys()].sort()).toEqual(expected);
    }
    const other = points(resourceMetrics, 'cachewise.load.duration').get('otel10|#other')!;
    expect((other.value as Histogram).count).toBe(99_990);
  });

  it('gives each label one series on the wire: a label with a lone surrogate is JSON-quoted', async () => {
    const { cache, collect, spans } = await setup('otel14');
    for (const name of ['Lone.a\ud800', 'Lone.a\udc00', 'Quote"and\\backslash']) {
      await cache.wrap(name, async () => 1, { name });
    }
    const collected = await collect();
    // As exporters send them: UTF-8.
    const onWire = (label: unknown) => Buffer.from(String(label)).toString();
    for (const name of ['cachewise.calls', 'cachewise.load.duration']) {
      const labels = [...points(collected, name).values()].map((point) => onWire(point.attributes['code.function']));
      expect(labels).toEqual(['"Lone.a\\ud800"', '"Lone.a\\udc00"', 'Quote"and\\backslash']);
    }
    expect(spans.getFinishedSpans().map((span) => onWire(span.attributes['code.function']))).toEqual([
      '"Lone.a\\ud800"',
      '"Lone.a\\udc00"',
      'Quote"and\\backslash',
    ]);
  });

  it('uses the global meter and tracer providers when given none', async () => {
    const reader = new TestReader();
    const spans = new InMemorySpanExporter();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    try {
      const cache = createCache({ store: memoryStore(), namespace: 'otel5' });
      stops.push(instrumentCache(cache));
      await cache.wrap('k', async () => 1, { name: 'Global.load' });
      const { resourceMetrics } = await reader.collect();
      expect(values(resourceMetrics, 'cachewise.loads')).toEqual({ 'otel5|Global.load': 1 });
      expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['cachewise.load Global.load']);
    } finally {
      metrics.disable();
      trace.disable();
    }
  });

  it('takes the global meter provider registered when called, and the global tracer provider registered at the load', async () => {
    const cache = createCache({ store: memoryStore(), namespace: 'otel11' });
    stops.push(instrumentCache(cache));
    const reader = new TestReader();
    const spans = new InMemorySpanExporter();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    try {
      await cache.wrap('k', async () => 1, { name: 'Late.load' });
      expect((await reader.collect()).resourceMetrics.scopeMetrics).toEqual([]);
      expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['cachewise.load Late.load']);
    } finally {
      metrics.disable();
      trace.disable();
    }
  });

  it('keeps collecting a closed cache; once stopped, its counters move no more', async () => {
    const { cache, collect } = await setup('otel12');
    await cache.wrap('a', async () => 1, { name: 'Closed.load' });
    await cache.close();
    expect(values(await collect(), 'cachewise.loads')).toEqual({ 'otel12|Closed.load': 1 });

    const { cache: open, collect: collectOpen } = await setup('otel13');
    await open.wrap('a', async () => 1, { name: 'Stopped.load' });
    expect(values(await collectOpen(), 'cachewise.loads')).toEqual({ 'otel13|Stopped.load': 1 });
    stops.splice(1)[0]!();
    await open.wrap('b', async () => 2, { name: 'Stopped.load' });
    expect(open.stats().byMethod['Stopped.load']!.loads).toBe(2);
    const collected = await collectOpen();
    expect(values(collected, 'cachewise.loads')).toEqual({ 'otel13|Stopped.load': 1 });
    expect((points(collected, 'cachewise.load.duration').get('otel13|Stopped.load')!.value as Histogram).count).toBe(1);
  });
});
