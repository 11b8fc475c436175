// What one mode measured, and the table the demo prints.
import type { CacheMode } from '../config.js';
import { type LoadResult, quantile } from './load.js';
import type { Health, Sample } from './sampler.js';

export interface ModeResult {
  readonly mode: CacheMode;
  readonly requestsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly errors: number;
  /** Database queries during the load. */
  readonly queries: number;
  /** Share of cacheable GETs answered from the HTTP response cache (X-Cache: HIT). */
  readonly hitRate: number;
  /**
   * Share of the reads asked for (one per GET, one per PUT's lookup of the user) that did
   * not run the repository's loader: 1 - loads / reads.
   */
  readonly offload: number;
  readonly stale: number;
  readonly staleExamples: readonly string[];
  readonly samples: readonly Sample[];
  /** Sorted latencies, ms. */
  readonly latenciesMs: Float64Array;
}

export function summarize(mode: CacheMode, load: LoadResult, health: Health, samples: Sample[]): ModeResult {
  const { progress } = load;
  const rows = health.stats?.byMethod ?? {};
  const getRow = rows['#get'];
  const lookups = (getRow?.hits ?? 0) + (getRow?.misses ?? 0);
  const loads = Object.entries(rows)
    .filter(([label]) => label.startsWith('UserRepository.'))
    .reduce((sum, [, row]) => sum + row.loads, 0);
  const reads = progress.gets + progress.puts;
  return {
    mode,
    requestsPerS: progress.responses / load.elapsedS,
    p50Ms: quantile(load.latenciesMs, 0.5),
    p99Ms: quantile(load.latenciesMs, 0.99),
    requests: progress.responses,
    errors: progress.errors + load.socketErrors,
    queries: health.queries,
    hitRate: lookups === 0 ? 0 : (getRow?.hits ?? 0) / lookups,
    offload: health.stats === null || reads === 0 ? 0 : Math.max(0, 1 - loads / reads),
    stale: load.stale,
    staleExamples: load.staleExamples,
    samples,
    latenciesMs: load.latenciesMs,
  };
}

const HEADERS = [
  'mode',
  'req/s',
  'p50 ms',
  'p99 ms',
  'requests',
  'errors',
  'DB queries',
  'hit rate',
  'DB load off',
  'stale reads',
];

const pct = (rate: number) => `${(rate * 100).toFixed(1)}%`;
const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
const int = (value: number) => Math.round(value).toLocaleString('en-US');

export function tableRows(results: readonly ModeResult[]): string[][] {
  return results.map((r) => [
    r.mode,
    int(r.requestsPerS),
    ms(r.p50Ms),
    ms(r.p99Ms),
    int(r.requests),
    int(r.errors),
    int(r.queries),
    r.mode === 'none' ? '-' : pct(r.hitRate),
    r.mode === 'none' ? '-' : pct(r.offload),
    String(r.stale),
  ]);
}

/** The results as a Markdown table (it reads as a plain table in a terminal too). */
export function formatTable(results: readonly ModeResult[]): string {
  const rows = [HEADERS, ...tableRows(results)];
  const widths = HEADERS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(HEADERS), rule, ...rows.slice(1).map(line)].join('\n');
}

export { HEADERS as TABLE_HEADERS };
