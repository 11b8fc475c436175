// Evaluates the PromQL and the alerting rule in docs/observability.md's Prometheus section
// with Prometheus's own promtool (`promtool test rules`). Both are read from the docs, so
// they cannot drift from what is tested. The input series carry the names and label sets of
// this example's scrape (the docs' excerpt of it, which prometheus.test.ts finds on a real
// scrape): two hours of three methods, one above a 70% offload rate, one under it with 3,600
// calls an hour, and one under it with 960.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleDir } from '../../run-example.js';
import { parseExposition } from '../src/report.js';

const run = promisify(execFile);

/** promtool from PROMTOOL_PATH or PATH; throws, saying how to get it, when it is missing. */
function promtool(): string {
  const given = process.env.PROMTOOL_PATH;
  const found =
    given ||
    (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '')
      .map((dir) => join(dir, 'promtool'))
      .find((path) => existsSync(path));
  if (found === undefined || !existsSync(found)) {
    throw new Error(
      `promtool ${given ? `(PROMTOOL_PATH=${given}) ` : ''}is missing: \`bash .ci/install-promtool\` unpacks it ` +
        "from Debian's prometheus package into /usr/local/bin (or into a directory given as its argument; " +
        'then set PROMTOOL_PATH to the promtool there)',
    );
  }
  return found;
}

/** Runs promtool with `args`; resolves with its exit code and output, whatever the code. */
async function runPromtool(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(promtool(), args, { timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const { code, stdout = '', stderr = '' } = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof code !== 'number') throw error;
    return { code, output: stdout + stderr };
  }
}

// --- What the docs say ---

const docs = readFileSync(`${exampleDir('prometheus')}/../../docs/observability.md`, 'utf8');
const section = /^## Prometheus\n([\s\S]*?)^## /m.exec(docs)?.[1] ?? '';
const fences = [...section.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((match) => ({
  lang: match[1]!,
  body: match[2]!,
}));

/** The dashboard queries: each `# title` line, then its expressions (indented lines continue one). */
function documentedQueries(): Map<string, string[]> {
  const fence = fences.find((f) => f.lang === 'text' && f.body.startsWith('# Offload rate'));
  const queries = new Map<string, string[]>();
  let exprs: string[] = [];
  for (const line of (fence?.body ?? '').split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# ')) queries.set(line.slice(2), (exprs = []));
    else if (/^\s/.test(line) && exprs.length > 0) exprs[exprs.length - 1] += `\n${line}`;
    else exprs.push(line);
  }
  return queries;
}

// --- The input series ---

const FIND = 'ProductRepository.findById';
const RECOMMEND = 'ProductRepository.recommendationsFor';
/** Not on the example's scrape: a third method, labelled as the other two are. */
const REVIEWS = 'ProductRepository.reviewsFor';
const METHODS = [FIND, RECOMMEND, REVIEWS];
const NONE = { [FIND]: 0, [RECOMMEND]: 0, [REVIEWS]: 0 };

/**
 * What each method adds to each counter per minute, for two hours. FIND runs its loader for
 * 15 of 60 calls (75% offloaded), RECOMMEND for 30 of 60 (50%, 3,600 calls an hour), REVIEWS
 * for 8 of 16 (50%, but 960 calls an hour). promtool compares values exactly, so the counts
 * are picked for results that floating point gives as plain decimals (0.75, not 0.7499…).
 */
const PER_MINUTE: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  cachewise_calls_total: { [FIND]: 60, [RECOMMEND]: 60, [REVIEWS]: 16 },
  cachewise_hits_total: { [FIND]: 45, [RECOMMEND]: 30, [REVIEWS]: 8 },
  cachewise_misses_total: { [FIND]: 15, [RECOMMEND]: 30, [REVIEWS]: 8 },
  cachewise_stale_total: NONE,
  cachewise_loads_total: { [FIND]: 15, [RECOMMEND]: 30, [REVIEWS]: 8 },
  cachewise_load_errors_total: { ...NONE, [RECOMMEND]: 3 },
  cachewise_lock_waits_total: NONE,
  cachewise_store_errors_total: { ...NONE, [FIND]: 6 },
  cachewise_store_timeouts_total: NONE,
};

/** Each method's loads per minute by the bucket their duration falls in (its upper bound, in seconds). */
const DURATIONS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  [FIND]: { '0.005': 9, '0.01': 6 },
  [RECOMMEND]: { '0.025': 6, '0.05': 12, '0.075': 12 },
  [REVIEWS]: { '0.25': 4, '0.5': 4 },
};

/** The example's histogram buckets, as prometheus.test.ts finds them on the scrape. */
const BOUNDS = [
  ...['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.075', '0.1', '0.25', '0.5', '0.75'],
  ...['1', '2.5', '5', '7.5', '10', '+Inf'],
];
const MINUTES = 120;

function labelText(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',')}}`;
}

function methodLabels(method: string): Record<string, string> {
  return { cache_namespace: 'shop', code_function: method, otel_scope_name: '@cachewise/otel' };
}

/** A counter growing by `perMinute` each minute, from 0 at the start to the end of the two hours. */
function counter(perMinute: number): string {
  return `0+${perMinute}x${MINUTES}`;
}

interface InputSeries {
  readonly series: string;
  readonly values: string;
}

function inputSeries(): InputSeries[] {
  const input: InputSeries[] = [];
  for (const method of METHODS) {
    const labels = methodLabels(method);
    for (const [name, perMethod] of Object.entries(PER_MINUTE)) {
      input.push({ series: name + labelText(labels), values: counter(perMethod[method]!) });
    }
    const loads = PER_MINUTE.cachewise_loads_total![method]!;
    const durations = Object.entries(DURATIONS[method]!);
    expect(
      durations.reduce((total, [, count]) => total + count, 0),
      method,
    ).toBe(loads);
    for (const bound of BOUNDS) {
      const upTo = durations.filter(([le]) => bound === '+Inf' || Number(le) <= Number(bound));
      const count = upTo.reduce((total, [, n]) => total + n, 0);
      input.push({
        series: `cachewise_load_duration_bucket${labelText({ ...labels, le: bound })}`,
        values: counter(count),
      });
    }
    const seconds = durations.reduce((total, [le, n]) => total + Number(le) * n, 0);
    input.push({ series: `cachewise_load_duration_sum${labelText(labels)}`, values: counter(seconds) });
    input.push({ series: `cachewise_load_duration_count${labelText(labels)}`, values: counter(loads) });
  }
  // The store's breaker: closed (0) for the first 90 minutes, then open (2).
  input.push({
    series: `cachewise_breaker_state${labelText({ cache_namespace: 'shop', otel_scope_name: '@cachewise/otel' })}`,
    values: '0x89 2x30',
  });
  return input;
}

// --- The expectations, two hours in ---

const AT = `${MINUTES}m`;
const byMethod = (values: Readonly<Record<string, number>>) =>
  METHODS.map((method) => ({
    labels: labelText({ cache_namespace: 'shop', code_function: method }),
    value: values[method]!,
  }));

interface Evaluation {
  readonly eval_time: string;
  readonly exp_samples: readonly { labels: string; value: number }[];
}

/** What each documented query gives, by its title in the docs: per expression, its evaluations. */
const EXPECTED: Readonly<Record<string, readonly (readonly Evaluation[])[]>> = {
  'Offload rate: the share of calls that ran no loader': [
    [{ eval_time: AT, exp_samples: byMethod({ [FIND]: 0.75, [RECOMMEND]: 0.5, [REVIEWS]: 0.5 }) }],
  ],
  'Hit rate: the share of calls the store answered': [
    [{ eval_time: AT, exp_samples: byMethod({ [FIND]: 0.75, [RECOMMEND]: 0.5, [REVIEWS]: 0.5 }) }],
  ],
  // Interpolated in the bucket that holds the 95th percentile: for FIND 0.005–0.01 s, with 9
  // of its 15 loads below it; RECOMMEND 0.05–0.075 s, 18 of 30 below; REVIEWS 0.25–0.5 s, 4 of 8.
  'Load duration, 95th percentile, in seconds': [
    [{ eval_time: AT, exp_samples: byMethod({ [FIND]: 0.009375, [RECOMMEND]: 0.071875, [REVIEWS]: 0.475 }) }],
  ],
  'Load errors and store errors per second': [
    [{ eval_time: AT, exp_samples: byMethod({ ...NONE, [RECOMMEND]: 3 / 60 }) }],
    [{ eval_time: AT, exp_samples: [{ labels: '{cache_namespace="shop"}', value: 6 / 60 }] }],
  ],
  'Circuit breaker open': [
    [
      { eval_time: '60m', exp_samples: [] },
      { eval_time: AT, exp_samples: [{ labels: '{cache_namespace="shop"}', value: 2 }] },
    ],
  ],
};

/** The alert the docs' rule should raise two hours in: RECOMMEND's only. */
function expectedAlerts(method = RECOMMEND) {
  return [
    {
      alertname: 'CachewiseLowOffloadRate',
      eval_time: AT,
      exp_alerts: [
        {
          exp_labels: { cache_namespace: 'shop', code_function: method },
          exp_annotations: {
            summary: `${method}: only 50% of calls ran no loader (under 70%)`,
            description: 'The TTL may be too short, or the working set larger than the store holds.',
          },
        },
      ],
    },
  ];
}

/** The `promql_expr_test` entries: each documented expression with its expected evaluations. */
function promqlTests(expected = EXPECTED) {
  return [...documentedQueries()].flatMap(([title, exprs]) =>
    exprs.flatMap((expr, i) => (expected[title]?.[i] ?? []).map((evaluation) => ({ expr, ...evaluation }))),
  );
}

// --- The runs ---

let dir: string;
let testRun = 0;

/** Writes a `promtool test rules` file (JSON, which is YAML) for one test group, and runs it. */
function testRules(group: { alert_rule_test: object[]; promql_expr_test: object[] }) {
  const file = join(dir, `test-${++testRun}.json`);
  const tests = [{ interval: '1m', input_series: inputSeries(), ...group }];
  writeFileSync(file, JSON.stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', tests }, null, 2));
  return runPromtool('test', 'rules', file);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachewise-promql-'));
  const rules = fences.filter((f) => f.lang === 'yaml');
  expect(rules).toHaveLength(1);
  writeFileSync(join(dir, 'rules.yml'), rules[0]!.body);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("docs/observability.md's PromQL and alerting rule, evaluated by promtool", () => {
  it('has promtool, and the rule file passes `promtool check rules`', async () => {
    const version = await runPromtool('--version');
    expect(version.code).toBe(0);
    expect(version.output).toMatch(/^promtool, version \d+\.\d+\.\d+/);
    const check = await runPromtool('check', 'rules', join(dir, 'rules.yml'));
    expect(check).toEqual({ code: 0, output: expect.stringContaining('SUCCESS: 1 rules found') });
  });

  it('reads every query in the docs, and the input series cover every metric they name and the excerpt', () => {
    const queries = documentedQueries();
    expect([...queries.keys()]).toEqual(Object.keys(EXPECTED));
    for (const [title, exprs] of queries) expect(exprs, title).toHaveLength(EXPECTED[title]!.length);
    expect(promqlTests()).toHaveLength(7);

    const input = inputSeries();
    const names = new Set(input.map(({ series }) => series.slice(0, series.indexOf('{'))));
    // Every name the section gives a series, that is all but the histogram's family name.
    const named = new Set(section.match(/\bcachewise_[a-z0-9_]+\b/g));
    expect(named.delete('cachewise_load_duration')).toBe(true);
    expect(names).toEqual(named);
    // The excerpt's lines are on a real scrape: each is one of the input series, labels and all.
    const sorted = (labels: Readonly<Record<string, string>>) =>
      labelText(Object.fromEntries(Object.entries(labels).sort()));
    const inputKeys = new Set(
      input.map(({ series }) => {
        const [sample] = parseExposition(`${series} 0`);
        return sample!.name + sorted(sample!.labels);
      }),
    );
    const excerpt = parseExposition(
      section
        .split('\n')
        .filter((line) => /^cachewise_\S+\{/.test(line))
        .join('\n'),
    );
    expect(excerpt.length).toBeGreaterThanOrEqual(7);
    expect(excerpt.map(({ name, labels }) => name + sorted(labels)).filter((key) => !inputKeys.has(key))).toEqual([]);
  });

  it('raises the alert for the method under 70% with at least 1,000 calls an hour only, and each query gives the expected values', async () => {
    const result = await testRules({ alert_rule_test: expectedAlerts(), promql_expr_test: promqlTests() });
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('fails when an expectation is wrong: the alert for the method with fewer than 1,000 calls', async () => {
    const result = await testRules({ alert_rule_test: expectedAlerts(REVIEWS), promql_expr_test: [] });
    expect(result.code).toBe(1);
    expect(result.output).toContain('alertname: CachewiseLowOffloadRate');
    expect(result.output).toContain(REVIEWS); // expected
    expect(result.output).toContain(RECOMMEND); // got
  });

  it('fails when an expectation is wrong: a value of a query', async () => {
    const wrong = {
      ...EXPECTED,
      'Offload rate: the share of calls that ran no loader': [
        [{ eval_time: AT, exp_samples: byMethod({ [FIND]: 0.7, [RECOMMEND]: 0.5, [REVIEWS]: 0.5 }) }],
      ],
    };
    const result = await testRules({ alert_rule_test: [], promql_expr_test: promqlTests(wrong) });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/exp: .*ProductRepository\.findById.* 7E-01/);
    expect(result.output).toMatch(/got: .*ProductRepository\.findById.* 7\.5E-01/);
  });
});
