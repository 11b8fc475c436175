// `pnpm demo`, run short: it exits 0, prints the table (no stale reads; fewer database
// queries with a cache than without) and writes the report, which a real headless browser
// (Debian's chromium) then renders: each chart has one drawn series per mode.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODE_COLORS } from '../src/demo/report.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const example = join(root, 'examples/rest-api');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, env: Record<string, string>, killAfterMs = 170_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(example, script)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  // The packages are built by the suite's global setup; this builds the example's dist/.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', example], { stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'cachewise-demo-test-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bad settings', () => {
  it('the service refuses a bad CACHE, naming the variable and the valid values', async () => {
    const result = await run('dist/main.js', { CACHE: 'disk', PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CACHE must be one of none, memory, redis, tiered; got "disk"');
  });

  it('the demo refuses a bad DEMO_REQUESTS', async () => {
    const result = await run('dist/demo/main.js', { DEMO_REQUESTS: 'lots' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DEMO_REQUESTS must be a number of requests per mode');
  });
});

describe('the demo, run short', () => {
  let result: Run;
  let report: string;
  beforeAll(async () => {
    report = join(dir, 'report.html');
    result = await run('dist/demo/main.js', {
      DEMO_REQUESTS: '300',
      DEMO_MAX_DURATION: '60',
      SEED_USERS: '500',
      DB_DELAY_MS: '5',
      DEMO_REPORT: report,
      // A redis-server of its own, even when REDIS_URL points the other tests at a shared one.
      REDIS_URL: '',
    });
  }, 180_000);

  /** The table's rows by mode: the cells after the mode's name. */
  function table(): Map<string, string[]> {
    const rows = new Map<string, string[]>();
    for (const line of result.stdout.split('\n')) {
      const cells = line.split('|').map((cell) => cell.trim());
      if (cells.length === 12 && ['none', 'memory', 'redis', 'tiered'].includes(cells[1]!)) {
        rows.set(cells[1]!, cells.slice(2, 11));
      }
    }
    return rows;
  }
  const number = (cell: string | undefined) => Number(cell?.replace(/[,%]/g, ''));

  it('exits 0 and prints a row per mode (redis and tiered on a redis-server of its own)', () => {
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain('started redis-server on redis://127.0.0.1:');
    expect([...table().keys()]).toEqual(['none', 'memory', 'redis', 'tiered']);
    // Progress while it runs.
    expect(result.stdout).toMatch(/\[memory\] service up on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('sees no stale read, and fewer database queries with any cache than without', () => {
    const rows = table();
    // Columns: req/s, p50, p99, requests, errors, DB queries, hit rate, DB load off, stale reads.
    for (const [mode, cells] of rows) {
      expect(cells[8], mode).toBe('0');
      expect(number(cells[4]), mode).toBe(0);
      expect(number(cells[3]), mode).toBe(300);
    }
    const none = number(rows.get('none')?.[5]);
    for (const mode of ['memory', 'redis', 'tiered']) {
      expect(number(rows.get(mode)?.[5]), mode).toBeLessThan(none);
      expect(number(rows.get(mode)?.[6]), mode).toBeGreaterThan(0);
    }
  });

  it('writes a self-contained report and prints its path', () => {
    expect(result.stdout).toContain(`report: ${report}`);
    const html = readFileSync(report, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(html).toContain('uPlot');
  });

  it('renders the report in headless chromium: each chart draws one series per mode', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (\`apt-get install -y chromium\`) or set CHROMIUM_PATH`,
      );
    }
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1100, height: 900 });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      const charts = await page.evaluate((colors: Record<string, string>) => {
        const hex = (color: string) => [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16));
        return ['latency', 'hit-rate', 'queries'].map((id) => {
          const el = document.getElementById(id) as (HTMLElement & { uplot?: { series: { label?: string }[] } }) | null;
          const canvas = el?.querySelector('canvas');
          if (!el?.uplot || !canvas) return { id, series: [], pixels: {} as Record<string, number> };
          const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
          const series = el.uplot.series.slice(1).map((s) => s.label ?? '');
          const pixels: Record<string, number> = {};
          for (const mode of series) {
            const [r, g, b] = hex(colors[mode]!);
            let n = 0;
            for (let i = 0; i < data.length; i += 4) {
              if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) n++;
            }
            pixels[mode] = n;
          }
          return { id, series, pixels };
        });
      }, MODE_COLORS);
      const all = ['none', 'memory', 'redis', 'tiered'];
      expect(charts.map((c) => c.series)).toEqual([all, all.slice(1), all]);
      for (const chart of charts) {
        for (const mode of chart.series) expect(chart.pixels[mode], `${chart.id}: ${mode}`).toBeGreaterThan(20);
      }
    } finally {
      await browser.close();
    }
  }, 60_000);
});
