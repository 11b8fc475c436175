// A report made from a Prometheus scrape: per method, the hit rate, the offload rate, and
// the advice `cache.stats()` gives a whole cache, applied to each method. It reads only the
// text a scrape returns, as a dashboard or an alert rule would.

/** One sample line of the Prometheus text exposition format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,\s*\}|,|\})/y;
const ESCAPES: Readonly<Record<string, string>> = { '\\\\': '\\', '\\"': '"', '\\n': '\n' };

/** The samples of a scrape, in order; comments (`# HELP`, `# TYPE`, `# UNIT`) and blank lines skipped. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const name = NAME.exec(line)?.[0];
    if (name === undefined) throw new SyntaxError(`not a sample line: ${line}`);
    const { labels, end } =
      line[name.length] === '{' ? parseLabels(line, name.length + 1) : { labels: {}, end: name.length };
    const [value] = line.slice(end).trim().split(/\s+/); // a timestamp may follow
    samples.push({ name, labels, value: parseValue(value ?? '', line) });
  }
  return samples;
}

/** The labels of `line` from just after its `{`, and where they end (just after the `}`). */
function parseLabels(line: string, start: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  if (line[start] === '}') return { labels, end: start + 1 };
  LABEL.lastIndex = start;
  for (;;) {
    const pair = LABEL.exec(line);
    if (pair === null) throw new SyntaxError(`bad labels: ${line}`);
    labels[pair[1]!] = pair[2]!.replace(/\\[\\"n]/g, (sequence) => ESCAPES[sequence]!);
    if (pair[3]!.endsWith('}')) return { labels, end: LABEL.lastIndex };
  }
}

function parseValue(text: string, line: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new SyntaxError(`bad value: ${line}`);
  return value;
}

/** The counters the report reads, as `@cachewise/otel`'s names come out of the Prometheus exporter. */
export const METRICS = {
  calls: 'cachewise_calls_total',
  hits: 'cachewise_hits_total',
  misses: 'cachewise_misses_total',
  loads: 'cachewise_loads_total',
} as const;

/** The same rule as `stats().advice`, per method: at least this many calls, and an offload rate under this. */
export const ADVICE_MIN_CALLS = 1_000;
export const LOW_OFFLOAD_RATE = 0.7;

export interface MethodReport {
  readonly namespace: string;
  /** `code_function`: `Class.method`, or the name given to `wrap` / `cached`. */
  readonly method: string;
  readonly calls: number;
  readonly hits: number;
  readonly misses: number;
  readonly loads: number;
  /** hits / (hits + misses); 0 before the first call. */
  readonly hitRate: number;
  /** 1 − loads / calls: the share of calls that ran no loader; 0 before the first call. */
  readonly offloadRate: number;
  /** Set when the offload rate is under 70% after at least 1,000 calls. */
  readonly advice?: string;
}

/** One report per (`cache_namespace`, `code_function`), each counter summed over the other labels, as `sum by` does. */
export function methodReports(samples: readonly Sample[]): MethodReport[] {
  const rows = new Map<
    string,
    { namespace: string; method: string; calls: number; hits: number; misses: number; loads: number }
  >();
  const fields = Object.entries(METRICS) as [keyof typeof METRICS, string][];
  for (const sample of samples) {
    const field = fields.find(([, name]) => name === sample.name)?.[0];
    if (field === undefined) continue;
    const namespace = sample.labels.cache_namespace ?? '';
    const method = sample.labels.code_function ?? '';
    const id = JSON.stringify([namespace, method]);
    let row = rows.get(id);
    if (row === undefined) {
      row = { namespace, method, calls: 0, hits: 0, misses: 0, loads: 0 };
      rows.set(id, row);
    }
    row[field] += sample.value;
  }
  return [...rows.values()].map((row) => {
    const lookups = row.hits + row.misses;
    const hitRate = lookups === 0 ? 0 : row.hits / lookups;
    const offloadRate = row.calls === 0 ? 0 : 1 - row.loads / row.calls;
    const low = row.calls >= ADVICE_MIN_CALLS && offloadRate < LOW_OFFLOAD_RATE;
    return { ...row, hitRate, offloadRate, ...(low ? { advice: advice(offloadRate, row.calls) } : {}) };
  });
}

function advice(offloadRate: number, calls: number): string {
  return (
    `only ${percent(offloadRate)} of ${calls} calls were answered without running a loader ` +
    `(under ${LOW_OFFLOAD_RATE * 100}%): the TTL may be too short, or the working set larger than the store holds`
  );
}

const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/** The report as text: one line per method, and an `advice:` line under each method that has advice. */
export function formatReport(reports: readonly MethodReport[]): string {
  const lines: string[] = [];
  for (const row of reports) {
    lines.push(
      `${row.namespace} ${row.method}: ${row.calls} calls, ${row.loads} loads, ` +
        `hit rate ${percent(row.hitRate)}, offload rate ${percent(row.offloadRate)}`,
    );
    if (row.advice !== undefined) lines.push(`  advice: ${row.advice}`);
  }
  return `${lines.join('\n')}\n`;
}
