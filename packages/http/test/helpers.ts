// One app description, served by Fastify or Express on a free loopback port, so every
// behaviour is tested over real HTTP on both frameworks.
import { Readable } from 'node:stream';
import type { Cache } from '@cachewise/core';
import { type ExpressCacheOptions, expressCache } from '@cachewise/http/express';
import { type FastifyCacheOptions, fastifyCache } from '@cachewise/http/fastify';
import express from 'express';
import Fastify from 'fastify';

export { fakeClock } from '@cachewise/core/testing';

/** What a test handler answers. */
export interface Answer {
  status?: number;
  headers?: Record<string, string | string[]>;
  /** A string, bytes, or an object sent as JSON. */
  body?: unknown;
  /** Chunks streamed in parts instead of `body`. */
  stream?: string[];
}

/** What a test handler sees of its request, the same on both frameworks. */
export interface Seen {
  params: Record<string, string>;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Route cache options (both frameworks); absent: not cached. */
  cache?: FastifyCacheOptions & ExpressCacheOptions;
  handler: (request: Seen) => Answer | Promise<Answer>;
}

export interface App {
  readonly url: string;
  close(): Promise<void>;
}

export type Framework = 'fastify' | 'express';
export const FRAMEWORKS: Framework[] = ['fastify', 'express'];

/** Serves `routes` with `framework` on 127.0.0.1 and a free port. */
export function serve(
  framework: Framework,
  cache: Cache,
  routes: Route[],
  defaults: FastifyCacheOptions = {},
): Promise<App> {
  return framework === 'fastify' ? serveFastify(cache, routes, defaults) : serveExpress(cache, routes, defaults);
}

async function serveFastify(cache: Cache, routes: Route[], defaults: FastifyCacheOptions): Promise<App> {
  const app = Fastify();
  await app.register(fastifyCache(cache, defaults));
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      ...(route.cache === undefined ? {} : { config: { cache: route.cache } }),
      handler: async (request, reply) => {
        const answer = await route.handler({
          params: request.params as Record<string, string>,
          body: request.body,
          headers: request.headers,
        });
        reply.code(answer.status ?? 200);
        for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
        if (answer.stream !== undefined) return reply.send(Readable.from(answer.stream));
        return reply.send(answer.body ?? '');
      },
    });
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, close: () => app.close() };
}

async function serveExpress(cache: Cache, routes: Route[], defaults: FastifyCacheOptions): Promise<App> {
  const app = express();
  app.use(express.json());
  for (const route of routes) {
    const handlers: express.RequestHandler[] = [];
    if (route.cache !== undefined)
      handlers.push(expressCache(cache, { ...defaults, ...route.cache } as ExpressCacheOptions));
    handlers.push(async (request, response, next) => {
      try {
        const params = request.params as Record<string, string>;
        const answer = await route.handler({ params, body: request.body, headers: request.headers });
        response.status(answer.status ?? 200);
        for (const [name, value] of Object.entries(answer.headers ?? {})) response.setHeader(name, value);
        if (answer.stream !== undefined) return void Readable.from(answer.stream).pipe(response);
        const body = answer.body ?? '';
        if (typeof body === 'string' || body instanceof Uint8Array) response.send(body);
        else response.json(body);
      } catch (error) {
        next(error);
      }
    });
    app[route.method === 'GET' ? 'get' : route.method === 'POST' ? 'post' : 'put'](route.path, ...handlers);
  }
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fetch whose response body is read as text. */
export async function get(
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}
