// The HTML report: one self-contained file (uPlot and the data inlined, nothing fetched)
// with the table and three charts — latency distribution, HTTP cache hit rate over time,
// and database queries per second — one series per mode.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ModeResult } from './results.js';
import { TABLE_HEADERS, tableRows } from './results.js';

export const MODE_COLORS: Record<string, string> = {
  none: '#d62728',
  memory: '#1f77b4',
  redis: '#2ca02c',
  tiered: '#9467bd',
};

type Series = (number | null)[];

/** Latency histogram on log-spaced buckets shared by every mode: x = bucket's upper bound (ms), y = % of requests. */
export function latencyHistogram(results: readonly ModeResult[]): { x: number[]; ys: Series[] } {
  const perDecade = 10;
  const all = results.flatMap((r) => (r.latenciesMs.length > 0 ? [r.latenciesMs[0]!, r.latenciesMs.at(-1)!] : []));
  const lo = Math.floor(Math.log10(Math.max(Math.min(...all, 1), 0.01)) * perDecade);
  const hi = Math.ceil(Math.log10(Math.max(...all, 1)) * perDecade);
  const x: number[] = [];
  for (let k = lo; k <= hi; k++) x.push(10 ** (k / perDecade));
  const ys = results.map((r) => {
    const counts = new Array<number>(x.length).fill(0);
    let bucket = 0;
    for (const value of r.latenciesMs) {
      while (bucket < x.length - 1 && value > x[bucket]!) bucket++;
      counts[bucket]!++;
    }
    const total = Math.max(1, r.latenciesMs.length);
    return counts.map((n) => (n === 0 ? null : (100 * n) / total));
  });
  return { x, ys };
}

/** Per-interval rates from each mode's samples, on one time axis (seconds, 0.25 s steps). */
export function timeSeries(
  results: readonly ModeResult[],
  rate: (from: ModeResult['samples'][number], to: ModeResult['samples'][number]) => number | null,
): { x: number[]; ys: Series[] } {
  const points = results.map((r) => {
    const map = new Map<number, number | null>();
    for (let i = 1; i < r.samples.length; i++) {
      const t = Math.round(r.samples[i]!.t * 4) / 4;
      map.set(t, rate(r.samples[i - 1]!, r.samples[i]!));
    }
    return map;
  });
  const x = [...new Set(points.flatMap((map) => [...map.keys()]))].sort((a, b) => a - b);
  return { x, ys: points.map((map) => x.map((t) => map.get(t) ?? null)) };
}

export function renderReport(results: readonly ModeResult[], meta: Record<string, string>): string {
  const require = createRequire(import.meta.url);
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const modes = results.map((r) => r.mode);
  const cached = results.filter((r) => r.mode !== 'none');
  const latency = latencyHistogram(results);
  const hitRate = timeSeries(cached, (a, b) => {
    const lookups = b.hits - a.hits + (b.misses - a.misses);
    return lookups > 0 ? (100 * (b.hits - a.hits)) / lookups : null;
  });
  const qps = timeSeries(results, (a, b) => (b.t > a.t ? (b.queries - a.queries) / (b.t - a.t) : null));
  const charts = [
    {
      id: 'latency',
      title: 'Latency distribution (% of requests per bucket, client-side timing)',
      xLabel: 'latency, ms (log scale)',
      yLabel: '% of requests',
      logX: true,
      modes,
      data: [latency.x, ...latency.ys],
    },
    {
      id: 'hit-rate',
      title: 'HTTP cache hit rate over time',
      xLabel: 'seconds into the run',
      yLabel: 'hit rate, %',
      logX: false,
      modes: cached.map((r) => r.mode),
      data: [hitRate.x, ...hitRate.ys],
    },
    {
      id: 'queries',
      title: 'Database queries per second',
      xLabel: 'seconds into the run',
      yLabel: 'queries/s',
      logX: false,
      modes,
      data: [qps.x, ...qps.ys],
    },
  ];
  const escapeHtml = (text: string) =>
    text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const table = `<table><thead><tr>${TABLE_HEADERS.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${tableRows(
    results,
  )
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
  const metaList = Object.entries(meta)
    .map(([k, v]) => `<li><b>${escapeHtml(k)}</b>: ${escapeHtml(v)}</li>`)
    .join('');
  // `</` cannot appear inside the inline scripts' JSON.
  const json = JSON.stringify({ charts, colors: MODE_COLORS }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cachewise REST API demo</title>
<style>${uplotCss}
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.chart { margin: 24px 0; }
</style></head><body>
<h1>cachewise REST API demo</h1>
<ul>${metaList}</ul>
${table}
${charts.map((c) => `<div class="chart" id="${c.id}"></div>`).join('\n')}
<script>${uplotJs}</script>
<script>
const report = ${json};
for (const chart of report.charts) {
  const el = document.getElementById(chart.id);
  const opts = {
    title: chart.title,
    width: Math.min(960, window.innerWidth - 48),
    height: 320,
    scales: { x: { time: false, distr: chart.logX ? 3 : 1 } },
    axes: [{ label: chart.xLabel }, { label: chart.yLabel }],
    series: [{ label: chart.xLabel }].concat(chart.modes.map((mode) => ({
      label: mode, stroke: report.colors[mode], width: 2, spanGaps: false,
      // Filled points: a mode that ran for one sample interval still shows, as a dot.
      points: { show: chart.logX ? false : true, size: 9, fill: report.colors[mode] },
    }))),
  };
  el.uplot = new uPlot(opts, chart.data, el);
}
</script>
</body></html>
`;
}
