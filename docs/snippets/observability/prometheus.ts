import { createServer } from 'node:http';
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { instrumentCache } from '@cachewise/otel';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

export const cache = createCache({ store: memoryStore(), namespace: 'catalog' });

// #region prometheus
// Each scrape collects: the counters are read from cache.stats() at scrape time.
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });
const stop = instrumentCache(cache, { meterProvider });

// Without preventServerStart, the exporter serves :9464/metrics itself; or serve it here:
const server = createServer((request, response) => {
  if (request.url === '/metrics') exporter.getMetricsRequestHandler(request, response);
  else response.writeHead(404).end();
});
// #endregion prometheus

export { meterProvider, server, stop };
