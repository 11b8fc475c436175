// A cache's metrics exported to Prometheus through OpenTelemetry: @cachewise/otel reports
// to a MeterProvider whose reader is the Prometheus exporter, served at /metrics. A
// scripted workload runs first, on a clock moved by hand, so the numbers on the scrape are
// exact; /report reads the scrape back and gives each method's hit and offload rates, and
// the "< 70%" advice for the method that needs it.
import { createServer, type ServerResponse } from 'node:http';
import { createCache } from '@cachewise/core';
import { memoryStore } from '@cachewise/memory';
import { instrumentCache } from '@cachewise/otel';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { formatReport, methodReports, parseExposition } from './report.js';
import { Database, ProductRepository } from './repository.js';

/** `PORT`: where /metrics is served; 0 picks a free port. Default 9464, the exporter's own. */
function readPort(text: string | undefined): number {
  if (text === undefined || text === '') return 9464;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw new RangeError(`PORT must be an integer from 0 to 65535 (0: any free port); got ${JSON.stringify(text)}`);
  }
  return port;
}
const port = readPort(process.env.PORT);

// A clock moved by hand (and `jitter: 0`), so 20 minutes of traffic run at once and the
// TTLs expire exactly; a real app leaves `clock` out.
let now = Date.UTC(2026, 0, 1);
const clock = { now: () => now };
const cache = createCache({ store: memoryStore({ maxEntries: 10_000, clock }), namespace: 'shop', clock, jitter: 0 });

// The exporter is the MeterProvider's reader: each scrape collects, so the counters are
// read from cache.stats() at scrape time. preventServerStart: it is served below, with /report.
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });
const stopInstrumenting = instrumentCache(cache, { meterProvider });

// 1,200 simulated seconds, one call of each method per second: 5 hot products (kept 1 h),
// and 8 users' recommendations (kept 10 s, asked for every 8 s: every other call expired).
const db = new Database();
const products = new ProductRepository(db, cache);
for (let second = 0; second < 1_200; second++) {
  await products.findById(second % 5);
  await products.recommendationsFor(second % 8);
  now += 1_000;
}

let base = '';
async function report(): Promise<string> {
  const scrape = await fetch(`${base}/metrics`);
  if (!scrape.ok) throw new Error(`GET /metrics answered ${scrape.status}`);
  return formatReport(methodReports(parseExposition(await scrape.text())));
}

function serveReport(response: ServerResponse): void {
  report().then(
    (text) => {
      response.setHeader('content-type', 'text/plain; charset=utf-8');
      response.end(text);
    },
    (error: unknown) => {
      response.statusCode = 500;
      response.end(`${String(error)}\n`);
    },
  );
}

const server = createServer((request, response) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/metrics') exporter.getMetricsRequestHandler(request, response);
  else if (path === '/report') serveReport(response);
  else {
    response.statusCode = 404;
    response.end('not found: try /metrics or /report\n');
  }
});
await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('the server has no port');
base = `http://127.0.0.1:${address.port}`;

const stats = cache.stats();
console.log(`queries: findById=${db.queries.findById} recommendationsFor=${db.queries.recommendationsFor}`);
console.log(
  `cache-wide (stats()): ${stats.hits + stats.misses} calls, offload rate ${(stats.offloadRate * 100).toFixed(1)}%, ` +
    `advice: ${stats.advice ?? 'none'}`,
);
console.log('per method, from a scrape of /metrics:');
process.stdout.write(await report());
console.log(`report: ${base}/report`);
console.log(`metrics: ${base}/metrics`); // last: the line to wait for

async function shutdown(): Promise<void> {
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  stopInstrumenting();
  await meterProvider.shutdown();
  await cache.close();
  console.log('stopped');
}
function onSignal(): void {
  shutdown().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
