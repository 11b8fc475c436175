/**
 * OpenTelemetry metrics and load spans for a cachewise cache. Imports only
 * `@opentelemetry/api`: the application brings its SDK and exporters.
 *
 * @module main
 */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import {
  CACHE_CHANNELS,
  type Cache,
  type CacheChannelMessage,
  CacheOptionsError,
  type CounterSnapshot,
  LOAD_TRACING_CHANNEL,
  type LoadTraceContext,
  STORE_TRACING_CHANNEL,
  type StoreTraceContext,
} from '@cachewise/core';
import {
  type BatchObservableResult,
  context,
  diag,
  type MeterProvider,
  metrics,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

/** Options of {@link instrumentCache}. */
export interface InstrumentCacheOptions {
  /** Where the metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /** Where the load spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /**
   * A span for each store operation (`cachewise.store read`, `… write`, …) under the
   * caller's active span, from the `cachewise:store` tracing channel. Default `false`: with a
   * memory or tiered store, a span for every hit would cost several times the hit itself.
   */
  storeSpans?: boolean;
}

/** The instrumentation scope name of the meter and tracer. */
export const SCOPE_NAME = '@cachewise/otel';

/** Each counter, and the `stats()` counters it reports (summed). */
const COUNTERS: ReadonlyArray<
  readonly [name: string, description: string, from: ReadonlyArray<keyof CounterSnapshot>]
> = [
  ['cachewise.calls', 'Cached calls looked up (hits + misses)', ['hits', 'misses']],
  ['cachewise.hits', 'Calls answered from the store without waiting for a load', ['hits']],
  ['cachewise.misses', 'Calls that found no usable entry', ['misses']],
  ['cachewise.stale', 'Calls answered with a stale value, for any reason', ['staleHits']],
  ['cachewise.loads', 'Loads run (the cached method called)', ['loads']],
  ['cachewise.load.errors', 'Loads that threw or rejected', ['loadErrors']],
  ['cachewise.lock.waits', 'Loads not run because another process held the fleet-wide lock', ['lockWaits']],
  ['cachewise.store.errors', 'Store operations that failed or timed out', ['storeErrors']],
  ['cachewise.store.timeouts', 'Store operations that timed out (storeTimeout)', ['storeTimeouts']],
];

/**
 * Bucket bounds of `cachewise.load.duration`, in seconds: the semantic conventions' bounds
 * for HTTP durations (5 ms to 10 s), plus 1 and 2.5 ms for quick loads. The SDK's default
 * bounds (0 to 10,000, made for milliseconds) would put every load under 5 s in one bucket.
 */
const LOAD_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/**
 * Bucket bounds of `cachewise.bus.lag`, in seconds: 0.5 ms to 5 s (bus messages take well
 * under a millisecond on a local network; the upper buckets show stalls).
 */
const BUS_LAG_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Namespaces instrumented now, per meter provider. Loads are matched to a cache by
 * namespace, so a second instrumentation of one namespace into one provider would count
 * every load twice: it is refused.
 */
const instrumented = new WeakMap<MeterProvider, Set<string>>();

/**
 * Per tracer provider, which instrumentation of each namespace makes its load spans: one
 * cache reported to two meter providers through one tracer provider makes one span a load.
 * The first to see a load takes the namespace; another takes it once that one stops.
 */
const spanners = new WeakMap<TracerProvider, Map<string, object>>();

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(['meterProvider', 'tracerProvider', 'storeSpans']);

/** `cachewise.breaker.state`: 0 closed (or off), 1 half-open, 2 open. */
const BREAKER_STATES = { off: 0, closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Reports a cache's counters per method as OpenTelemetry metrics, its load durations as a
 * histogram, and each load as a span (child of the caller's active span). Attributes:
 * `cache.namespace` and `code.function` (`Class.method`, or the name given to `wrap` /
 * `cached`). Counters are read from `cache.stats()` when the SDK collects; loads are
 * timed through the `cachewise:load` tracing channel, matched by namespace: a second
 * instrumentation of one namespace into one meter provider, while the first reports, is
 * refused. Returns the function that stops reporting.
 */
export function instrumentCache(cache: Cache, options: InstrumentCacheOptions = {}): () => void {
  checkArguments(cache, options);
  const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
  const namespace = cache.namespace;
  let namespaces = instrumented.get(meterProvider);
  if (namespaces?.has(namespace)) {
    throw new CacheOptionsError(
      `instrumentCache: a cache of namespace '${namespace}' is already reported to this meter provider ` +
        '(loads are matched by namespace, so each would count twice); call the stop function that ' +
        'instrumentCache returned first, or give each cache its own namespace',
    );
  }
  const meter = meterProvider.getMeter(SCOPE_NAME);
  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer = tracerProvider.getTracer(SCOPE_NAME);
  let spanner = spanners.get(tracerProvider);
  if (spanner === undefined) {
    spanner = new Map();
    spanners.set(tracerProvider, spanner);
  }
  const counters = COUNTERS.map(([name, description, from]) => ({
    counter: meter.createObservableCounter(name, { description, unit: '{call}' }),
    from,
  }));
  const breaker = meter.createObservableGauge('cachewise.breaker.state', {
    description: "The store's circuit breaker: 0 closed (or off), 1 half-open, 2 open",
  });
  const observe = (result: BatchObservableResult): void => {
    const stats = cache.stats();
    for (const [label, row] of Object.entries(stats.byMethod)) {
      const attributes = { 'cache.namespace': namespace, 'code.function': codeFunction(label) };
      for (const { counter, from } of counters) {
        let value = 0;
        for (const field of from) value += row[field] as number;
        result.observe(counter, value, attributes);
      }
    }
    result.observe(breaker, BREAKER_STATES[stats.circuit], { 'cache.namespace': namespace });
  };
  meter.addBatchObservableCallback(observe, [...counters.map((c) => c.counter), breaker]);

  const duration = meter.createHistogram('cachewise.load.duration', {
    description: 'How long loads took, to their result or failure',
    unit: 's',
    advice: { explicitBucketBoundaries: [...LOAD_DURATION_BUCKETS] },
  });
  const started = new WeakMap<LoadTraceContext, { at: number; span: Span | undefined }>();
  const loads = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);
  // These run inside Node's channel publishing, which re-raises a subscriber's exception as an
  // uncaught one: a tracer or meter that throws is told to OpenTelemetry's diag logger instead.
  /** Whether this instrumentation makes the namespace's spans (the first to ask takes them). */
  const makesSpans = (): boolean => {
    const spanning = spanner.get(namespace) ?? handlers;
    if (spanning !== handlers) return false;
    spanner.set(namespace, handlers);
    return true;
  };
  const handlers = {
    start(load: LoadTraceContext): void {
      if (load.namespace !== namespace) return;
      let span: Span | undefined;
      if (makesSpans()) {
        try {
          const label = codeFunction(load.label);
          span = tracer.startSpan(
            `cachewise.load ${label}`,
            { kind: SpanKind.INTERNAL, attributes: { 'cache.namespace': namespace, 'code.function': label } },
            context.active(),
          );
        } catch (error) {
          tellFailure('starting a load span', error);
        }
      }
      started.set(load, { at: performance.now(), span });
    },
    end(): void {},
    asyncStart(): void {},
    asyncEnd(load: LoadTraceContext): void {
      const begun = started.get(load);
      if (begun === undefined) return;
      started.delete(load);
      const failed = 'error' in load;
      try {
        duration.record((performance.now() - begun.at) / 1000, {
          'cache.namespace': namespace,
          'code.function': codeFunction(load.label),
          ...(failed ? { 'error.type': errorType(load.error) } : {}),
        });
      } catch (error) {
        tellFailure('recording cachewise.load.duration', error);
      }
      if (begun.span !== undefined) endSpan(begun.span, failed, load.error, 'a load span');
    },
    error(): void {},
  };
  loads.subscribe(handlers);
  const stores = tracingChannel<unknown, StoreTraceContext>(STORE_TRACING_CHANNEL);
  const storeSpans = new WeakMap<StoreTraceContext, Span>();
  const storeHandlers = {
    start(operation: StoreTraceContext): void {
      // One span an operation, made by the instrumentation that makes the namespace's load spans.
      if (operation.namespace !== namespace || !makesSpans()) return;
      try {
        const span = tracer.startSpan(
          `cachewise.store ${operation.operation}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'cache.namespace': namespace,
              'cachewise.store.name': operation.store,
              'cachewise.store.operation': operation.operation,
            },
          },
          context.active(),
        );
        storeSpans.set(operation, span);
      } catch (error) {
        tellFailure('starting a store span', error);
      }
    },
    end(): void {},
    asyncStart(): void {},
    asyncEnd(operation: StoreTraceContext): void {
      const span = storeSpans.get(operation);
      if (span === undefined) return;
      storeSpans.delete(operation);
      endSpan(span, 'error' in operation, operation.error, 'a store span');
    },
    error(): void {},
  };
  if (options.storeSpans === true) stores.subscribe(storeHandlers);
  const busLag = meter.createHistogram('cachewise.bus.lag', {
    description: 'How long after another server published a change this server applied it (tiered stores)',
    unit: 's',
    advice: { explicitBucketBoundaries: [...BUS_LAG_BUCKETS] },
  });
  const onBus = (message: unknown): void => {
    const heard = message as CacheChannelMessage<'bus'>;
    if (heard.namespace !== namespace) return;
    try {
      busLag.record(heard.lagMs / 1000, { 'cache.namespace': namespace });
    } catch (error) {
      tellFailure('recording cachewise.bus.lag', error);
    }
  };
  subscribe(CACHE_CHANNELS.bus, onBus);
  if (namespaces === undefined) {
    namespaces = new Set();
    instrumented.set(meterProvider, namespaces);
  }
  namespaces.add(namespace);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    namespaces.delete(namespace);
    if (spanner.get(namespace) === handlers) spanner.delete(namespace);
    loads.unsubscribe(handlers);
    if (options.storeSpans === true) stores.unsubscribe(storeHandlers);
    unsubscribe(CACHE_CHANNELS.bus, onBus);
    meter.removeBatchObservableCallback(observe, [...counters.map((c) => c.counter), breaker]);
  };
}

/** Refuses what is not a cache or not an option, before anything is registered. */
function checkArguments(cache: unknown, options: unknown): void {
  const candidate = cache as Partial<Cache> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.stats !== 'function' ||
    typeof candidate.namespace !== 'string'
  ) {
    throw new CacheOptionsError(
      `instrumentCache: \`cache\` must be a cache made by createCache(); got ${describe(cache)}`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new CacheOptionsError(
      `instrumentCache: the options must be an object ({ meterProvider?, tracerProvider?, storeSpans? }); got ${describe(options)}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(name)) {
      throw new CacheOptionsError(
        `instrumentCache: unknown option '${name}'; the options are meterProvider, tracerProvider and storeSpans`,
      );
    }
  }
  const { meterProvider, tracerProvider, storeSpans } = options as Record<string, unknown>;
  if (storeSpans !== undefined && typeof storeSpans !== 'boolean') {
    throw new CacheOptionsError(`instrumentCache: \`storeSpans\` must be true or false; got ${describe(storeSpans)}`);
  }
  if (meterProvider !== undefined && typeof (meterProvider as MeterProvider | null)?.getMeter !== 'function') {
    throw new CacheOptionsError(
      `instrumentCache: \`meterProvider\` must be an OpenTelemetry MeterProvider (with getMeter()); got ${describe(meterProvider)}`,
    );
  }
  if (tracerProvider !== undefined && typeof (tracerProvider as TracerProvider | null)?.getTracer !== 'function') {
    throw new CacheOptionsError(
      `instrumentCache: \`tracerProvider\` must be an OpenTelemetry TracerProvider (with getTracer()); got ${describe(tracerProvider)}`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.keys(value).slice(0, 5).join(', ') || 'no keys'})`;
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}

/**
 * A label as `code.function`. A label holding a lone UTF-16 surrogate is JSON-quoted (as core
 * does in keys): exporters send UTF-8, where every lone surrogate becomes U+FFFD, so
 * `'a\ud800'` and `'a\udc00'` would be one series twice on a scrape.
 */
function codeFunction(label: string): string {
  return (label as string & { isWellFormed(): boolean }).isWellFormed() ? label : JSON.stringify(label);
}

/** Ends a span, with the exception and status ERROR when the operation failed. */
function endSpan(span: Span, failed: boolean, error: unknown, what: string): void {
  try {
    if (failed) {
      if (error instanceof Error) span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  } catch (failure) {
    tellFailure(`ending ${what}`, failure);
  }
}

/** A tracer's or meter's failure while a load was reported: to the diag logger, never thrown. */
function tellFailure(what: string, error: unknown): void {
  try {
    diag.error(`${SCOPE_NAME}: ${what} failed; the cache call itself is unaffected`, error);
  } catch {
    // Nowhere left to tell it.
  }
}

function errorType(error: unknown): string {
  return error instanceof Error ? error.name : '_OTHER';
}
