// What is published, not just the source: the tarballs `pnpm pack` makes hold every file
// their exports point at, name their licence, repository and Node range, pass publint and
// arethetypeswrong, and load in a consumer outside the workspace with plain Node, through
// `import` and through `require()`. Installing them into real apps: packaging-consumers.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  PACKAGES,
  type PackageDir,
  packAll,
  ROOT,
  runIn,
  sourceManifest,
  tarballFiles,
  tarballManifest,
} from './packing.js';

/** Where Node's require() loads ES modules with no flag: docs/installing.md says why. */
const NODE_RANGE = '^20.19.0 || >=22.12.0';
const root = ROOT;
const packages = PACKAGES;

let work: string;
let tarballs: Record<PackageDir, string>;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachewise-packed-'));
  tarballs = await packAll(join(work, 'tarballs'));
}, 120_000);

type AttwProblems = Record<string, Array<{ entrypoint: string; resolutionKind: string }>>;
let attwRuns: Promise<Record<PackageDir, AttwProblems>> | undefined;
/** attw's findings per package; the three runs (seconds each) go in parallel, once. */
function attwProblems(): Promise<Record<PackageDir, AttwProblems>> {
  attwRuns ??= Promise.all(
    packages.map(async (name) => {
      const { stdout } = await runIn(root, join(root, 'node_modules', '.bin', 'attw'), [
        tarballs[name],
        '--format',
        'json',
        '--ignore-rules',
        'cjs-resolves-to-esm',
      ]);
      return [name, (JSON.parse(stdout) as { problems: AttwProblems }).problems] as const;
    }),
  ).then((entries) => Object.fromEntries(entries) as Record<PackageDir, AttwProblems>);
  return attwRuns;
}
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe.each(packages)('@cachewise/%s as published', (name) => {
  it('packs every file its exports point at, its licence, readme and changelog, no build bookkeeping, and nothing that reads files at load', async () => {
    const files = await tarballFiles(tarballs[name]);
    const manifest = sourceManifest(name);
    for (const [entry, conditions] of Object.entries(manifest.exports)) {
      for (const [condition, target] of Object.entries(conditions)) {
        expect(files, `${entry} → ${condition}`).toContain(target.replace(/^\.\//, ''));
      }
    }
    // TypeScript's legacy node10 resolution ignores `exports`: typesVersions maps each subpath.
    for (const entry of Object.keys(manifest.exports).filter((entry) => entry !== '.')) {
      const mapped = manifest.typesVersions?.['*']?.[entry.replace(/^\.\//, '')];
      expect(mapped, `typesVersions for ${entry}`).toEqual([manifest.exports[entry]!.types]);
    }
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'CHANGELOG.md']));
    expect(files.filter((file) => file.endsWith('.tsbuildinfo'))).toEqual([]);
    // The Redis package's Lua scripts are strings in its code: no .lua file ships, and no
    // built file reads one when it loads (bundlers carry only the code).
    if (name === 'redis') expect(files.filter((file) => file.endsWith('.lua'))).toEqual([]);
    // redlock's types resolve only through the workspace's patch (patches/): a declaration
    // file naming them would not compile in an app without skipLibCheck.
    for (const file of files.filter((path) => name === 'redis' && path.endsWith('.d.ts'))) {
      expect(readFileSync(join(root, 'packages', name, file), 'utf8'), file).not.toMatch(/from ['"]redlock['"]/);
    }
    for (const file of files.filter((path) => path.startsWith('dist/') && path.endsWith('.js'))) {
      expect(readFileSync(join(root, 'packages', name, file), 'utf8'), file).not.toMatch(
        /readFileSync|readFile\(|node:fs/,
      );
    }
  });

  it('names its MIT licence, repository, homepage, issue tracker and Node range, with no workspace: ranges left', async () => {
    const manifest = await tarballManifest(tarballs[name]);
    expect(manifest.license).toBe('MIT');
    expect(readFileSync(join(root, 'packages', name, 'LICENSE'), 'utf8')).toMatch(
      /^MIT License\n\nCopyright \(c\) \d{4} /,
    );
    expect(manifest.repository).toEqual({
      type: 'git',
      url: expect.stringMatching(/^git\+https:\/\/\S+\.git$/),
      directory: `packages/${name}`,
    });
    expect(manifest.homepage).toMatch(/^https:\/\/\S+$/);
    expect(manifest.bugs?.url).toMatch(/^https:\/\/\S+\/issues$/);
    expect(manifest.engines).toEqual({ node: NODE_RANGE });
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
  });

  it('passes publint, warnings counted as errors', async () => {
    const tarball = await readFile(tarballs[name]);
    const buffer = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength);
    const { messages, pkg } = await publint({
      pack: { tarball: buffer as ArrayBuffer },
      strict: true,
      level: 'suggestion',
    });
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg) ?? message.code}`)).toEqual([]);
  });

  // attw 0.18.5 bundles TypeScript 5.6, which predates require(esm) (TypeScript 5.8 and
  // Node 20.19): it reports every require() of an ES module as CJSResolvesToESM under
  // node16-cjs. That one finding is expected; the CommonJS consumer in
  // packaging-consumers.test.ts compiles against these types with TypeScript 6 instead.
  it('passes arethetypeswrong in every resolution mode, but for require(esm), which it does not know', async () => {
    const problems = (await attwProblems())[name];
    const entrypoints = Object.keys(sourceManifest(name).exports);
    expect(problems).toEqual({
      CJSResolvesToESM: entrypoints.map((entrypoint) => ({
        kind: 'CJSResolvesToESM',
        entrypoint,
        resolutionKind: 'node16-cjs',
      })),
    });
  }, 60_000);
});

describe('one copy of core in an app', () => {
  it('the store, HTTP, NestJS and OpenTelemetry packages take @cachewise/core as a peer dependency (and the workspace copy for their own tests)', async () => {
    for (const name of ['memory', 'redis', 'http', 'nestjs', 'otel'] as const) {
      const manifest = await tarballManifest(tarballs[name]);
      expect(manifest.dependencies?.['@cachewise/core'], name).toBeUndefined();
      expect(manifest.peerDependencies?.['@cachewise/core'], name).toBe('>=0.1.0 <1.0.0');
      expect(sourceManifest(name).devDependencies?.['@cachewise/core'], name).toBe('workspace:*');
    }
  });

  it('every package has one version and changesets releases them together (a fixed group)', () => {
    const versions = new Set(packages.map((name) => sourceManifest(name).version));
    expect(versions.size).toBe(1);
    const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')) as { fixed: string[][] };
    expect(config.fixed).toEqual([packages.map((name) => `@cachewise/${name}`)]);
  });

  it('every pending changeset has the front matter changesets reads: known packages and a bump, then a summary', () => {
    const dir = join(root, '.changeset');
    const files = readdirSync(dir).filter((file) => file.endsWith('.md') && file !== 'README.md');
    expect(files.length).toBeGreaterThan(0);
    const known = new Set(packages.map((name) => `@cachewise/${name}`));
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      const match = /^---\n((?:'[^'\n]+': (?:major|minor|patch)\n)+)---\n\n\S/.exec(text);
      expect(match, `${file} does not start with changesets front matter`).not.toBeNull();
      for (const line of match![1]!.trim().split('\n')) expect(known, `${file}: ${line}`).toContain(line.split("'")[1]);
    }
  });
});

describe('a consumer outside the workspace, with plain Node and the built output', () => {
  const consumer = mkdtempSync(join(tmpdir(), 'cachewise-consumer-'));
  afterAll(() => rmSync(consumer, { recursive: true, force: true }));
  const entryPoints = packages.flatMap((name) =>
    Object.keys(sourceManifest(name).exports).map((entry) => `@cachewise/${name}${entry.slice(1)}`),
  );

  beforeAll(() => {
    mkdirSync(join(consumer, 'node_modules', '@cachewise'), { recursive: true });
    for (const name of packages)
      symlinkSync(join(root, 'packages', name), join(consumer, 'node_modules', '@cachewise', name));
  });

  it('imports every entry point', () => {
    const script = `
      const core = await import('@cachewise/core');
      const testing = await import('@cachewise/core/testing');
      const memory = await import('@cachewise/memory');
      const redis = await import('@cachewise/redis');
      const redisTesting = await import('@cachewise/redis/testing');
      const fastify = await import('@cachewise/http/fastify');
      const express = await import('@cachewise/http/express');
      const nestjs = await import('@cachewise/nestjs');
      const otel = await import('@cachewise/otel');
      const cache = core.createCache({ store: memory.memoryStore() });
      const value = await cache.wrap('k', async () => 42);
      console.log(JSON.stringify({
        value,
        core: ['createCache', 'Cached', 'Invalidates', 'CacheConfig', 'cached', 'methodKey'].every((n) => typeof core[n] === 'function'),
        testing: typeof testing.runStoreConformance === 'function' && typeof testing.fakeClock === 'function',
        redis: typeof redis.redisStore === 'function',
        redisTesting: typeof redisTesting.mockRedisStore === 'function',
        http: typeof fastify.fastifyCache(cache) === 'function' && typeof express.expressCache(cache) === 'function',
        nestjs: typeof nestjs.CachewiseModule.forRoot({ store: memory.memoryStore() }).module === 'function',
        otel: typeof otel.instrumentCache(cache) === 'function',
      }));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: consumer,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual({
      value: 42,
      core: true,
      testing: true,
      redis: true,
      redisTesting: true,
      http: true,
      nestjs: true,
      otel: true,
    });
  });

  // require(esm) fails on a top-level await anywhere in a package's module graph
  // (ERR_REQUIRE_ASYNC_MODULE), so requiring every entry point also proves there is none.
  it('requires every entry point from CommonJS, with no warning, getting the very module import() gets', async () => {
    writeFileSync(
      join(consumer, 'require-all.cjs'),
      `
      const entryPoints = ${JSON.stringify(entryPoints)};
      (async () => {
        const same = [];
        for (const id of entryPoints) same.push(require(id) === await import(id));
        const core = require('@cachewise/core');
        const cache = core.createCache({ store: require('@cachewise/memory').memoryStore() });
        const value = await cache.wrap('k', async () => 42);
        console.log(JSON.stringify({ same, value, sharedErrors: (await import('@cachewise/core')).CacheError === core.CacheError }));
      })().catch((error) => { console.error(error); process.exitCode = 1; });`,
    );
    const { stdout, stderr } = await runIn(consumer, process.execPath, ['require-all.cjs'], cleanEnv());
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toEqual({ same: entryPoints.map(() => true), value: 42, sharedErrors: true });
  });
});
