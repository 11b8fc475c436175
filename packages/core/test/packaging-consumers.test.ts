// The packed tarballs installed with npm, from the registry, into two apps outside the
// workspace: an ES-module app (TC39 decorators) and a CommonJS app (tsc `module: commonjs`,
// legacy decorators + reflect-metadata), each compiled with TypeScript against the packed
// types and run with ioredis 5 and then ioredis 6, on the memory store and on a real Redis;
// each also reports a cache through @cachewise/otel to the OpenTelemetry metrics SDK and
// reads the counters back. npm's own cache is shared between runs; each app is installed
// once and ioredis swapped.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../redis/test/helpers/index.js';
import { cleanEnv, type PackageDir, packAll, ROOT, runIn } from './packing.js';

const IOREDIS_MAJORS = ['5.11.1', '6.0.0'] as const;
const KINDS = ['esm', 'cjs'] as const;
type Kind = (typeof KINDS)[number];

const fixtures = join(ROOT, 'packages', 'core', 'test', 'fixtures', 'consumers');
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** The OpenTelemetry packages at the versions the workspace pins (root package.json). */
async function openTelemetryVersions(): Promise<Record<string, string>> {
  const { devDependencies } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const names = ['@opentelemetry/api', '@opentelemetry/sdk-metrics'];
  return Object.fromEntries(names.map((name) => [name, devDependencies[name]!]));
}

async function typesNodeVersion(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'node_modules', '@types', 'node', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

let work: string;
let redis: RedisServer | undefined;
let packed: Record<PackageDir, string>;
const apps = {} as Record<Kind, string>;

/** A fresh app of `kind` in `work`, with the tarballs and its registry dependencies installed. */
async function installApp(
  kind: Kind,
  tarballs: Record<PackageDir, string>,
  typesNode: string,
  openTelemetry: Record<string, string>,
): Promise<string> {
  const dir = join(work, kind);
  await cp(join(fixtures, kind), dir, { recursive: true });
  const dependencies: Record<string, string> = {
    '@cachewise/core': `file:${tarballs.core}`,
    '@cachewise/memory': `file:${tarballs.memory}`,
    '@cachewise/redis': `file:${tarballs.redis}`,
    '@cachewise/otel': `file:${tarballs.otel}`,
    ...openTelemetry,
    ioredis: IOREDIS_MAJORS[0],
    '@types/node': typesNode,
    ...(kind === 'cjs' ? { 'reflect-metadata': '0.2.2' } : {}),
  };
  // No "type" field in the CommonJS app: its .js files are CommonJS, as in a NestJS app.
  const manifest = {
    name: `cachewise-${kind}-consumer`,
    private: true,
    ...(kind === 'esm' ? { type: 'module' } : {}),
    dependencies,
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  await runIn(dir, 'npm', ['install', ...NPM_FLAGS]);
  await runIn(dir, 'npm', ['ls', '--all']);
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cachewise-consumers-'));
  const [tarballs, server, typesNode, openTelemetry] = await Promise.all([
    packAll(join(work, 'tarballs')),
    startRedis(),
    typesNodeVersion(),
    openTelemetryVersions(),
  ]);
  redis = server;
  packed = tarballs;
  await Promise.all(
    KINDS.map(async (kind) => {
      apps[kind] = await installApp(kind, tarballs, typesNode, openTelemetry);
    }),
  );
}, 300_000);

afterAll(async () => {
  await redis?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

async function installedIoredis(dir: string): Promise<string> {
  return (
    JSON.parse(await readFile(join(dir, 'node_modules', 'ioredis', 'package.json'), 'utf8')) as { version: string }
  ).version;
}

describe.each(IOREDIS_MAJORS)('with ioredis %s', (ioredis) => {
  beforeAll(async () => {
    await Promise.all(
      KINDS.map(async (kind) => {
        if ((await installedIoredis(apps[kind])) !== ioredis)
          await runIn(apps[kind], 'npm', ['install', ...NPM_FLAGS, `ioredis@${ioredis}`]);
        // npm ls fails on a peer range the tree does not meet: the ERESOLVE of the next install.
        await runIn(apps[kind], 'npm', ['ls', '--all']);
      }),
    );
  }, 180_000);

  it.concurrent.each(KINDS)(
    'the %s app compiles against the packed types, caches and invalidates on memory and Redis, reports to OpenTelemetry, and locks with redlockProtector',
    async (kind) => {
      const dir = apps[kind];
      expect(await installedIoredis(dir)).toBe(ioredis);
      await runIn(dir, process.execPath, [tsc, '-p', '.']);
      // `module: nodenext` in a package with no "type" is CommonJS too: it must type-check as well.
      if (kind === 'cjs') await runIn(dir, process.execPath, [tsc, '-p', 'tsconfig.nodenext.json']);
      const env = cleanEnv({ REDIS_URL: redis!.url, CACHEWISE_PREFIX: redis!.newPrefix() });
      const { stdout, stderr } = await runIn(dir, process.execPath, [join('dist', 'main.js')], env);
      expect(stderr).toBe('');
      expect(JSON.parse(stdout)).toEqual({
        memory: [1, 1, 2],
        otel: { errors: 0, calls: 3, hits: 1, loads: 2, loadDurations: 2 },
        redis: [1, 1, 2],
        stampede: [true, true, true],
        oneCore: true,
      });
    },
    240_000,
  );
});

/** NestJS (ESM-only since 12) from an ES-module app and from a CommonJS app, which `require()`s it. */
const NEST_VERSIONS = {
  '@nestjs/common': '12.5.0',
  '@nestjs/core': '12.5.1',
  '@nestjs/platform-express': '12.5.0',
  '@nestjs/platform-fastify': '12.1.1',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
};

describe('NestJS apps', () => {
  const nestApps = {} as Record<Kind, string>;
  beforeAll(async () => {
    const typesNode = await typesNodeVersion();
    await Promise.all(
      KINDS.map(async (kind) => {
        const dir = join(work, `nest-${kind}`);
        await cp(join(fixtures, 'nest'), dir, { recursive: true });
        const manifest = {
          name: `cachewise-nest-${kind}-consumer`,
          private: true,
          ...(kind === 'esm' ? { type: 'module' } : {}),
          dependencies: {
            '@cachewise/core': `file:${packed.core}`,
            '@cachewise/memory': `file:${packed.memory}`,
            '@cachewise/redis': `file:${packed.redis}`,
            '@cachewise/http': `file:${packed.http}`,
            '@cachewise/nestjs': `file:${packed.nestjs}`,
            ioredis: IOREDIS_MAJORS[0],
            '@types/node': typesNode,
            ...NEST_VERSIONS,
          },
        };
        await writeFile(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
        await runIn(dir, 'npm', ['install', ...NPM_FLAGS]);
        nestApps[kind] = dir;
      }),
    );
  }, 300_000);

  it.concurrent.each(KINDS)(
    'the %s app compiles against the packed types and caches through DI and the interceptor on Express and Fastify, memory and Redis',
    async (kind) => {
      const dir = nestApps[kind];
      await runIn(dir, process.execPath, [tsc, '-p', `tsconfig.${kind}.json`]);
      const env = cleanEnv({ REDIS_URL: redis!.url, CACHEWISE_PREFIX: redis!.newPrefix() });
      const { stdout, stderr } = await runIn(dir, process.execPath, [join('dist', 'main.js')], env);
      expect(stderr).toBe('');
      const each = { xCache: ['MISS', 'HIT'], loads: 1, sessionHits: 1 };
      expect(JSON.parse(stdout)).toEqual({
        'express/memory': each,
        'express/redis': { ...each, clientOpen: true },
        'fastify/memory': each,
        'fastify/redis': { ...each, clientOpen: true },
      });
    },
    240_000,
  );
});
