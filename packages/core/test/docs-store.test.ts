// The minimal store printed in docs/stores.md, taken from the page itself, passes the
// conformance suite: the example cannot drift from the contract unnoticed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ByteStore } from '@cachewise/core/store';
import { runStoreConformance } from '@cachewise/core/testing';

const page = readFileSync(fileURLToPath(new URL('../../../docs/stores.md', import.meta.url)), 'utf8');
const section = page.slice(page.indexOf('## A minimal example'));
const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
if (code === undefined) throw new Error('docs/stores.md has no ts block under "## A minimal example"');

const dir = new URL('./.generated/', import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL('docs-map-store.ts', dir);
writeFileSync(file, code);
const { mapStore } = (await import(/* @vite-ignore */ fileURLToPath(file))) as { mapStore: () => ByteStore };

runStoreConformance('the minimal store in docs/stores.md', () => ({ store: mapStore() }), { versionMark: false });
