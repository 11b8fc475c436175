// The example's reading of a scrape: the Prometheus text format, and the per-method report.
import { describe, expect, it } from 'vitest';
import { formatReport, methodReports, parseExposition } from '../src/report.js';

describe('parseExposition', () => {
  it('reads names, labels (escapes, a trailing comma, none) and values, skipping comments', () => {
    const text = [
      '# HELP a_total A counter',
      '# TYPE a_total counter',
      'a_total{path="C:\\\\tmp",quote="say \\"hi\\"",line="1\\n2",brace="}",} 3 1700000000000',
      'b 2.5e-3',
      'c{} -Inf',
      'd{le="+Inf"} NaN',
      '',
    ].join('\n');
    const samples = parseExposition(text);
    expect(samples.slice(0, 3)).toEqual([
      { name: 'a_total', labels: { path: 'C:\\tmp', quote: 'say "hi"', line: '1\n2', brace: '}' }, value: 3 },
      { name: 'b', labels: {}, value: 0.0025 },
      { name: 'c', labels: {}, value: Number.NEGATIVE_INFINITY },
    ]);
    expect(samples[3]!.labels).toEqual({ le: '+Inf' });
    expect(samples[3]!.value).toBeNaN();
  });

  it('refuses what is not the text format', () => {
    expect(() => parseExposition('{a="b"} 1')).toThrow(SyntaxError);
    expect(() => parseExposition('a{b=c} 1')).toThrow('bad labels: a{b=c} 1');
    expect(() => parseExposition('a one')).toThrow('bad value: a one');
    expect(() => parseExposition('a')).toThrow('bad value: a');
  });
});

describe('methodReports', () => {
  const counters = (method: string, calls: number, hits: number, loads: number, extra = '') =>
    [
      `cachewise_calls_total{cache_namespace="n",code_function="${method}"${extra}} ${calls}`,
      `cachewise_hits_total{cache_namespace="n",code_function="${method}"${extra}} ${hits}`,
      `cachewise_misses_total{cache_namespace="n",code_function="${method}"${extra}} ${calls - hits}`,
      `cachewise_loads_total{cache_namespace="n",code_function="${method}"${extra}} ${loads}`,
    ].join('\n');

  it('advises under 70% after at least 1,000 calls, as stats().advice does for a whole cache', () => {
    const reports = methodReports(
      parseExposition(
        [counters('A.under', 1000, 690, 301), counters('A.at', 1000, 700, 300), counters('A.few', 999, 0, 999)].join(
          '\n',
        ),
      ),
    );
    expect(reports.map((row) => [row.method, row.offloadRate.toFixed(3), row.advice !== undefined])).toEqual([
      ['A.under', '0.699', true],
      ['A.at', '0.700', false],
      ['A.few', '0.000', false],
    ]);
    expect(formatReport(reports)).toBe(
      'n A.under: 1000 calls, 301 loads, hit rate 69.0%, offload rate 69.9%\n' +
        '  advice: only 69.9% of 1000 calls were answered without running a loader (under 70%): ' +
        'the TTL may be too short, or the working set larger than the store holds\n' +
        'n A.at: 1000 calls, 300 loads, hit rate 70.0%, offload rate 70.0%\n' +
        'n A.few: 999 calls, 999 loads, hit rate 0.0%, offload rate 0.0%\n',
    );
  });

  it('sums the series of one method over the other labels, as sum by (cache_namespace, code_function) does', () => {
    const text = [counters('B.m', 600, 300, 300, ',pod="1"'), counters('B.m', 600, 300, 300, ',pod="2"')].join('\n');
    expect(methodReports(parseExposition(text))).toEqual([
      {
        namespace: 'n',
        method: 'B.m',
        calls: 1200,
        hits: 600,
        misses: 600,
        loads: 600,
        hitRate: 0.5,
        offloadRate: 0.5,
        advice: expect.stringMatching(/^only 50\.0% of 1200 calls/),
      },
    ]);
  });
});
