import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A Lua script and its SHA-1, for EVALSHA with a fallback to EVAL when a node lacks it. */
export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

// `../src/scripts` resolves from both src/ (tests) and dist/ (published: src/ ships too).
function load(name: string): Script {
  const source = readFileSync(new URL(`../src/scripts/${name}.lua`, import.meta.url), 'utf8');
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}

export const WRITE = load('write');
export const INVALIDATE_TAGS = load('invalidate-tags');
export const DELETE = load('delete');
export const SET = load('set');
