import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { instrumentCache } from '@cachewise/otel';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** Stands for your exporter's reader (Prometheus, OTLP, …). */
class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
export const reader = new Reader();
export const cache = createCache({ store: memoryStore(), namespace: 'shop' });

// #region otel
const meterProvider = new MeterProvider({ readers: [reader] });
const stop = instrumentCache(cache, { meterProvider }); // default: the global providers
// … on shutdown:
// stop();
// #endregion otel

export { stop };
