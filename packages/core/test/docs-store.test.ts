// The minimal store printed in docs/stores.md (included there from
// docs/snippets/stores/src/map-store.ts) passes the conformance suite: the example cannot
// drift from the contract unnoticed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ByteStore } from '@cachewise/core/store';
import { runStoreConformance } from '@cachewise/core/testing';

const snippet = fileURLToPath(new URL('../../../docs/snippets/stores/src/map-store.ts', import.meta.url));
const page = readFileSync(fileURLToPath(new URL('../../../docs/stores.md', import.meta.url)), 'utf8');
const section = page.slice(page.indexOf('## A minimal example'));
if (!section.includes('<<< @/snippets/stores/src/map-store.ts#map-store')) {
  throw new Error('docs/stores.md no longer includes the map store snippet under "## A minimal example"');
}
const { mapStore } = (await import(/* @vite-ignore */ snippet)) as { mapStore: () => ByteStore };

runStoreConformance('the minimal store in docs/stores.md', () => ({ store: mapStore() }), { versionMark: false });
