// A small Nest application served over real HTTP on Express or Fastify: a controller
// whose responses CachewiseInterceptor caches, and a provider with @Cached methods.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { Cache, Cached, Invalidates } from '@cachewise/core';
import {
  Body,
  Controller,
  type DynamicModule,
  Get,
  Header,
  Inject,
  Injectable,
  Module,
  Param,
  Post,
  type Provider,
  Redirect,
  Res,
  Sse,
  StreamableFile,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { type Observable, of } from 'rxjs';
import { CacheTags, CacheTTL, CachewiseInterceptor, HttpCache } from '../src/index.js';

@Injectable()
export class Users {
  loads = 0;

  @Cached({ tags: (id: string) => [`user:${id}`] })
  async find(id: string): Promise<{ id: string; load: number }> {
    this.loads++;
    return { id, load: this.loads };
  }

  @Invalidates({ tags: (id: string) => [`user:${id}`] })
  async rename(_id: string): Promise<void> {}
}

@Controller()
@UseInterceptors(CachewiseInterceptor)
@CacheTTL('1m')
export class UsersController {
  runs = 0;

  constructor(
    @Inject(Users) private readonly users: Users,
    @Inject(Cache) private readonly cache: Cache,
  ) {}

  @Get('users/:id')
  @CacheTags((request: { params: { id: string } }) => [`user:${request.params.id}`])
  async find(@Param('id') id: string): Promise<{ id: string; run: number }> {
    this.runs++;
    return { id, run: this.runs };
  }

  @Post('users/:id')
  async rename(@Param('id') id: string): Promise<{ renamed: string; run: number }> {
    this.runs++;
    await this.cache.invalidateTags([`user:${id}`]);
    return { renamed: id, run: this.runs };
  }

  @Get('text')
  @Header('content-type', 'text/plain; charset=utf-8')
  text(): string {
    this.runs++;
    return `text ${this.runs}`;
  }

  @Get('cookie')
  cookie(@Res({ passthrough: true }) response: { header?: Function; setHeader?: Function }): { run: number } {
    this.runs++;
    if (typeof response.setHeader === 'function') response.setHeader('set-cookie', 'session=1');
    else response.header?.('set-cookie', 'session=1');
    return { run: this.runs };
  }

  @Get('private')
  @Header('cache-control', 'private')
  private(): { run: number } {
    this.runs++;
    return { run: this.runs };
  }

  /** Resolved by a test: the handler waits on it, so concurrent requests can pile up. */
  gate: Promise<void> = Promise.resolve();

  @Get('slow/:id')
  async slow(@Param('id') id: string): Promise<{ id: string; run: number }> {
    this.runs++;
    const run = this.runs;
    await this.gate;
    return { id, run };
  }

  /** Fresh for 10 s, then served stale for a minute while one request refreshes it. */
  @Get('stale/:id')
  @HttpCache({ ttl: '10s', staleWhileRevalidate: '1m' })
  async stale(@Param('id') id: string): Promise<{ id: string; run: number }> {
    this.runs++;
    const run = this.runs;
    await this.gate;
    return { id, run };
  }

  @Get('failing')
  failing(): never {
    this.runs++;
    throw new Error('boom');
  }

  @Get('vary')
  @HttpCache({ vary: ['accept-language'] })
  vary(): { run: number } {
    this.runs++;
    return { run: this.runs };
  }

  /** A body JSON cannot encode: Nest answers 500, with or without the interceptor. */
  @Get('bigint')
  bigint(): { n: bigint } {
    this.runs++;
    return { n: 1n };
  }

  /** Sends its own response through @Res() (no passthrough), and returns the body too. */
  @Get('own')
  own(@Res() response: { json?: Function; send: Function }): { run: number } {
    this.runs++;
    const body = { run: this.runs };
    if (typeof response.json === 'function') response.json(body);
    else response.send(body);
    return body;
  }

  /** @Redirect with a URL the handler returns. */
  @Get('redirect/:id')
  @Redirect('/users/0', 302)
  redirect(@Param('id') id: string): { url: string } {
    this.runs++;
    return { url: `/users/${id}` };
  }

  /** Server-sent events. */
  @Sse('events')
  events(): Observable<{ data: string }> {
    this.runs++;
    return of({ data: 'one' }, { data: `run ${this.runs}` });
  }

  /** Bodies that are sent but not stored: none, a stream, one over maxBodyBytes. */
  @Get('uncached/:kind')
  @HttpCache({ maxBodyBytes: 1024 })
  uncached(@Param('kind') kind: string): unknown {
    this.runs++;
    if (kind === 'stream') return new StreamableFile(Readable.from([`run ${this.runs}`]));
    if (kind === 'large') return 'x'.repeat(1025);
    return undefined;
  }

  /** A POST answered from the cache: its key holds the body. */
  @Post('search')
  @HttpCache({ methods: ['POST'] })
  search(@Body() body: unknown): { body: unknown; run: number } {
    this.runs++;
    return { body, run: this.runs };
  }

  /** A value of each kind, sent as Nest sends it (see PlainController). */
  @Get('value/:kind')
  value(@Param('kind') kind: string): unknown {
    this.runs++;
    return VALUES[kind];
  }

  /** Not cached as a response: the provider's @Cached method answers. */
  @Get('direct/:id')
  @HttpCache({ methods: ['POST'] })
  direct(@Param('id') id: string): Promise<{ id: string; load: number }> {
    return this.users.find(id);
  }
}

/** Values of several kinds, which Express and Fastify each send in their own way. */
export const VALUES: Record<string, unknown> = {
  number: 42,
  boolean: true,
  string: 'text',
  buffer: Buffer.from('bytes'),
  object: { a: 1 },
};

/** The same values with no interceptor: what Nest sends. */
@Controller('plain')
export class PlainController {
  @Get('value/:kind')
  value(@Param('kind') kind: string): unknown {
    return VALUES[kind];
  }
}

/** Responses cached on the cache named 'pages'. */
@Controller('pages')
@UseInterceptors(CachewiseInterceptor.for('pages'))
export class PagesController {
  runs = 0;

  @Get(':id')
  page(@Param('id') id: string): { id: string; run: number } {
    this.runs++;
    return { id, run: this.runs };
  }
}

export type AdapterName = 'express' | 'fastify';
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

export interface Served {
  readonly adapter: AdapterName;
  readonly url: string;
  readonly app: Awaited<ReturnType<typeof NestFactory.create>>;
  readonly controller: UsersController;
  readonly cache: Cache;
  close(): Promise<void>;
}

/**
 * Starts the application on a free port, with `cacheModule` (a CachewiseModule.forRoot/forRootAsync)
 * and, if given, `pagesModule` (the cache named 'pages', and the controller that uses it) and
 * more `providers` (an APP_INTERCEPTOR, say).
 */
export async function serve(
  adapter: AdapterName,
  cacheModule: DynamicModule,
  pagesModule?: DynamicModule,
  providers: Provider[] = [],
): Promise<Served> {
  @Module({
    imports: pagesModule === undefined ? [cacheModule] : [cacheModule, pagesModule],
    controllers:
      pagesModule === undefined
        ? [UsersController, PlainController]
        : [UsersController, PlainController, PagesController],
    providers: [Users, ...providers],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, adapter === 'express' ? new ExpressAdapter() : new FastifyAdapter(), {
    logger: false,
    abortOnError: false,
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    adapter,
    url: `http://127.0.0.1:${port}`,
    app,
    controller: app.get(UsersController),
    cache: app.get(Cache),
    close: () => app.close(),
  };
}
