// The standard-decorator tests in this folder run through SWC. This one compiles a small
// program with tsc itself (TypeScript's own TC39 decorator emit) and runs it with Node.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../fixtures/tsc-standard/', import.meta.url));
const tsc = fileURLToPath(new URL('../../../../node_modules/typescript/bin/tsc', import.meta.url));

describe('standard decorators compiled by tsc', () => {
  it('cache, invalidate and name keys as with legacy decorators', () => {
    execFileSync(process.execPath, [tsc, '-p', fixture], { stdio: 'pipe' });
    const output = execFileSync(process.execPath, [`${fixture}dist/main.js`], { encoding: 'utf8' });
    const result = JSON.parse(output.trim()) as { steps: unknown[]; loads: number; byMethod: string[] };
    expect(result.steps).toEqual([
      { id: 1, loads: 1 },
      { id: 1, loads: 1 }, // hit
      { id: 1, loads: 2 }, // after @Invalidates
      2,
      2, // static method: hit
      { id: 1, loads: 4 }, // class-level tag 'users' invalidated
      'tsc:m:Users.findById:n1',
    ]);
    expect(result.loads).toBe(4);
    expect(result.byMethod).toEqual(['Users.findById', 'Users.static.count']);
  }, 60_000);
});
