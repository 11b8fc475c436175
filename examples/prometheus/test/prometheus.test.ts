// Builds examples/prometheus, runs it as a child process on a free port, and scrapes its
// /metrics over HTTP: exact counters per method after the scripted workload, the labels, the
// histogram, the report made from the scrape, the names docs/observability.md uses, and a
// clean exit on SIGTERM.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildExample,
  exampleDir,
  lineStartingWith,
  type RunningExample,
  runFailingExample,
  startExample,
} from '../../run-example.js';
import { parseExposition, type Sample } from '../src/report.js';

let app: RunningExample;
let base: string;
let scrape: string;
let samples: Sample[];

beforeAll(async () => {
  await buildExample('prometheus');
  app = await startExample('prometheus', 'metrics: ', { PORT: '0' });
  const metricsUrl = lineStartingWith(app.stdout(), 'metrics: ').slice('metrics: '.length);
  expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  base = metricsUrl.slice(0, -'/metrics'.length);
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  scrape = await response.text();
  samples = parseExposition(scrape);
});

afterAll(() => {
  if (app?.child.exitCode === null) app.child.kill('SIGKILL');
});

const FIND = 'ProductRepository.findById';
const RECOMMEND = 'ProductRepository.recommendationsFor';

/** The values of `name` on the scrape, by `code_function` (each label set listed once). */
function byMethod(name: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const line of scrape.split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (match === null) continue;
    const method = /code_function="([^"]*)"/.exec(match[1]!)?.[1] ?? '';
    expect(found).not.toHaveProperty(method);
    found[method] = Number(match[2]);
  }
  return found;
}

describe('examples/prometheus', () => {
  it('prints the URL it serves on, a free port given PORT=0', () => {
    expect(base).not.toBe('http://127.0.0.1:0');
    expect(lineStartingWith(app.stdout(), 'report: ')).toBe(`report: ${base}/report`);
  });

  it('exports exact counters per method for the scripted workload', () => {
    expect(byMethod('cachewise_calls_total')).toEqual({ [FIND]: 1200, [RECOMMEND]: 1200 });
    expect(byMethod('cachewise_hits_total')).toEqual({ [FIND]: 1195, [RECOMMEND]: 600 });
    expect(byMethod('cachewise_misses_total')).toEqual({ [FIND]: 5, [RECOMMEND]: 600 });
    expect(byMethod('cachewise_loads_total')).toEqual({ [FIND]: 5, [RECOMMEND]: 600 });
    for (const name of [
      'cachewise_stale_total',
      'cachewise_load_errors_total',
      'cachewise_lock_waits_total',
      'cachewise_store_errors_total',
      'cachewise_store_timeouts_total',
    ]) {
      expect(byMethod(name), name).toEqual({ [FIND]: 0, [RECOMMEND]: 0 });
    }
    // The loads on the scrape are the queries the "database" ran.
    expect(lineStartingWith(app.stdout(), 'queries:')).toBe('queries: findById=5 recommendationsFor=600');
  });

  it('labels each series with cache_namespace and code_function, and the breaker gauge with the namespace only', () => {
    expect(scrape).toContain(
      `\ncachewise_hits_total{cache_namespace="shop",code_function="${FIND}",otel_scope_name="@cachewise/otel"} 1195\n`,
    );
    const ours = samples.filter((sample) => sample.name.startsWith('cachewise_'));
    expect(ours.length).toBeGreaterThan(20);
    for (const sample of ours) {
      expect(sample.labels.cache_namespace, sample.name).toBe('shop');
      expect(sample.labels.otel_scope_name, sample.name).toBe('@cachewise/otel');
      if (sample.name !== 'cachewise_breaker_state') expect([FIND, RECOMMEND]).toContain(sample.labels.code_function);
    }
    expect(samples.filter((sample) => sample.name === 'cachewise_breaker_state')).toEqual([
      {
        name: 'cachewise_breaker_state',
        labels: { cache_namespace: 'shop', otel_scope_name: '@cachewise/otel' },
        value: 0,
      },
    ]);
  });

  it('exports the load duration histogram: one count per load, buckets in seconds', () => {
    expect(scrape).toContain('\n# TYPE cachewise_load_duration histogram\n');
    expect(scrape).toContain('\n# UNIT cachewise_load_duration s\n');
    expect(byMethod('cachewise_load_duration_count')).toEqual({ [FIND]: 5, [RECOMMEND]: 600 });
    const buckets = samples.filter(
      (sample) => sample.name === 'cachewise_load_duration_bucket' && sample.labels.code_function === RECOMMEND,
    );
    expect(buckets.map((bucket) => bucket.labels.le)).toEqual([
      '0.001',
      '0.0025',
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.075',
      '0.1',
      '0.25',
      '0.5',
      '0.75',
      '1',
      '2.5',
      '5',
      '7.5',
      '10',
      '+Inf',
    ]);
    expect(buckets.at(-1)!.value).toBe(600);
    const counts = buckets.map((bucket) => bucket.value);
    expect(counts).toEqual([...counts].sort((a, b) => a - b)); // cumulative
  });

  it('reports from the scrape: the hot method above 70% without advice, the short-TTL one under 70% with it', async () => {
    const response = await fetch(`${base}/report`);
    expect(response.status).toBe(200);
    const report = await response.text();
    const advice =
      'only 50.0% of 1200 calls were answered without running a loader (under 70%): ' +
      'the TTL may be too short, or the working set larger than the store holds';
    expect(report).toBe(
      `shop ${FIND}: 1200 calls, 5 loads, hit rate 99.6%, offload rate 99.6%\n` +
        `shop ${RECOMMEND}: 1200 calls, 600 loads, hit rate 50.0%, offload rate 50.0%\n` +
        `  advice: ${advice}\n`,
    );
    // Printed at start too, after the cache-wide figures, where stats() gives no advice (74.8%).
    const lines = app.stdout();
    const at = lines.indexOf('per method, from a scrape of /metrics:');
    expect(lines.slice(at + 1, at + 4).join('\n')).toBe(report.trimEnd());
    expect(lineStartingWith(lines, 'cache-wide')).toBe(
      'cache-wide (stats()): 2400 calls, offload rate 74.8%, advice: none',
    );
    // The README shows the same report.
    expect(readFileSync(`${exampleDir('prometheus')}/README.md`, 'utf8')).toContain(report);
  });

  it('has every name docs/observability.md uses in its Prometheus section, and every line of its excerpt', () => {
    const docs = readFileSync(`${exampleDir('prometheus')}/../../docs/observability.md`, 'utf8');
    const section = /^## Prometheus\n([\s\S]*?)^## /m.exec(docs)?.[1];
    expect(section).toBeDefined();
    const metricNames = new Set(section!.match(/\bcachewise_[a-z0-9_]+\b/g));
    expect(metricNames).toContain('cachewise_loads_total');
    expect(metricNames).toContain('cachewise_load_duration_bucket');
    // On the scrape: a sample's name, or a family named on a # HELP / # TYPE / # UNIT line.
    const onScrape = new Set([
      ...samples.map((sample) => sample.name),
      ...[...scrape.matchAll(/^# (?:HELP|TYPE|UNIT) (\S+)/gm)].map((match) => match[1]!),
    ]);
    expect([...metricNames].filter((name) => !onScrape.has(name))).toEqual([]);

    const labelNames = new Set([
      ...[...section!.matchAll(/\bby \(([^)]*)\)/g)].flatMap((match) => match[1]!.split(',').map((l) => l.trim())),
      ...[...section!.matchAll(/\$labels\.(\w+)/g)].map((match) => match[1]!),
    ]);
    expect(labelNames).toEqual(new Set(['cache_namespace', 'code_function', 'le']));
    const labelsOnScrape = new Set(samples.flatMap((sample) => Object.keys(sample.labels)));
    expect([...labelNames].filter((label) => !labelsOnScrape.has(label))).toEqual([]);

    const excerpt = section!.split('\n').filter((line) => /^(?:# (?:HELP|TYPE|UNIT) )?cachewise_/.test(line));
    expect(excerpt.length).toBeGreaterThanOrEqual(10);
    const scraped = new Set(scrape.split('\n'));
    expect(excerpt.filter((line) => !scraped.has(line))).toEqual([]);
  });

  it('refuses a PORT that is not a port, naming it', async () => {
    const { code, stderr } = await runFailingExample('prometheus', { PORT: '80a' });
    expect(code).toBe(1);
    expect(stderr).toContain('RangeError: PORT must be an integer from 0 to 65535 (0: any free port); got "80a"');
  });

  it('exits cleanly on SIGTERM', async () => {
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.stdout().at(-2)).toBe('stopped');
    expect(app.stderr()).toBe('');
  });
});
