import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '@cachewise/core';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const durationSource = fileURLToPath(new URL('../src/duration.ts', import.meta.url));

// Strings built from the pieces that tell formats apart: signs, spaces, prefixes, decimals,
// exponents, separators, leading zeros, units and unit look-alikes.
const heads = ['', '-', '+', ' ', '0', '00', '0x', '0X', '0b', '0o', '.'];
const bodies = ['', '5', '10', '1.5', '1e3', 'f', '1_0', '2', '07'];
const tails = ['ms', 's', 'm', 'h', 'd', 'M', ' m', '', 'w', 's ', 'mss'];
const corpus = [...new Set(heads.flatMap((h) => bodies.flatMap((b) => tails.map((t) => `${h}${b}${t}`))))];

function parserAccepts(text: string): boolean {
  try {
    parseDuration(text, 'ttl', { allowZero: true });
    return true;
  } catch {
    return false;
  }
}

/** Which strings tsc refuses as a `Duration`, from one compile of a file with one assignment per line. */
function typeRefuses(strings: readonly string[]): Set<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cw-duration-'));
  try {
    const lines = [`import type { Duration } from ${JSON.stringify(durationSource.replace(/\.ts$/, '.js'))};`];
    for (const text of strings) lines.push(`export const v${lines.length}: Duration = ${JSON.stringify(text)};`);
    writeFileSync(join(dir, 'corpus.ts'), `${lines.join('\n')}\n`);
    let output = '';
    try {
      execFileSync(
        process.execPath,
        [
          join(root, 'node_modules/typescript/bin/tsc'),
          '--noEmit',
          '--strict',
          '--module',
          'nodenext',
          '--target',
          'es2022',
          '--skipLibCheck',
          '--types',
          'node',
          '--rootDir',
          '/',
          join(dir, 'corpus.ts'),
        ],
        { cwd: root, encoding: 'utf8' },
      );
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    const refused = new Set<string>();
    for (const match of output.matchAll(/corpus\.ts\((\d+),\d+\): error TS2322/g))
      refused.add(strings[Number(match[1]) - 2]!);
    return refused;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Duration strings', () => {
  it('the type and parseDuration accept exactly the same strings', () => {
    expect(corpus.length).toBeGreaterThan(900);
    const refused = typeRefuses(corpus);
    const accepted = corpus.filter((text) => !refused.has(text));
    // The corpus holds both kinds, so the comparison means something.
    expect(accepted).toEqual(expect.arrayContaining(['5ms', '10s', '0m', '0x10s', '0b10h', '0o10d', '2d']));
    expect([...refused]).toEqual(expect.arrayContaining(['5 m', '1e3ms', '.5s', '+5m', '1.5s', '05s', '1_0s', '-5m']));
    const disagreements = corpus.filter((text) => parserAccepts(text) !== !refused.has(text));
    expect(disagreements).toEqual([]);
  }, 60_000);
});
