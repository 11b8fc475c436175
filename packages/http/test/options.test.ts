// Every bad option is a CacheOptionsError at creation (expressCache, fastifyCache) or at
// route registration (a Fastify route's config.cache), naming the option.
import { createCache, isCacheOptionsError } from '@cachewise/core';
import { KEY_PREFIX } from '@cachewise/http';
import { expressCache } from '@cachewise/http/express';
import { fastifyCache } from '@cachewise/http/fastify';
import { memoryStore } from '@cachewise/memory';
import express from 'express';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

const cache = createCache({ store: memoryStore(), setAsDefault: false });

const bad: Array<[string, unknown, RegExp]> = [
  ['not an object', 'ttl', /options must be an object; got "ttl"/],
  ['an unknown option', { tll: '1m' }, /unknown option 'tll'/],
  ['ttl', { ttl: 'soon' }, /`ttl` must be a positive duration/],
  ['ttl zero', { ttl: 0 }, /`ttl` must be a positive duration/],
  ['tags', { tags: 'user:1' }, /`tags` must be an array of non-empty strings or a function/],
  ['tags with an empty tag', { tags: [''] }, /`tags` must be an array/],
  ['vary', { vary: 'accept-language' }, /`vary` must be an array of request header names/],
  ['vary with a bad name', { vary: ['accept language'] }, /`vary` must be an array of request header names/],
  ['vary twice', { vary: ['Accept', 'accept'] }, /`vary` must name each header once/],
  ['vary *', { vary: ['*'] }, /`vary` must name each header once, and not '\*'/],
  [
    'methods',
    { methods: ['GET', 'PUT'] },
    /`methods` must be a non-empty array of 'GET', 'HEAD' and 'POST'; got \["GET","PUT"\]/,
  ],
  ['methods empty', { methods: [] }, /`methods` must be a non-empty array/],
  ['public', { public: 'yes' }, /`public` must be true or false; got "yes"/],
  ['staleWhileRevalidate', { staleWhileRevalidate: -1 }, /`staleWhileRevalidate` must be a non-negative duration/],
  [
    'statuses',
    { statuses: [200, 206] },
    /`statuses` must be a non-empty array of status codes from 200 to 599 but 206 and 304/,
  ],
  ['statuses out of range', { statuses: [199] }, /`statuses` must be/],
  ['maxBodyBytes', { maxBodyBytes: -1 }, /`maxBodyBytes` must be a whole number of bytes, 0 or more/],
  ['maxBodyBytes fractional', { maxBodyBytes: 1.5 }, /`maxBodyBytes` must be a whole number/],
];

describe('expressCache', () => {
  it.each(bad)('refuses %s', (_name, options, message) => {
    expect(() => expressCache(cache, options as never)).toThrow(message);
    try {
      expressCache(cache, options as never);
    } catch (error) {
      expect(isCacheOptionsError(error)).toBe(true);
      expect((error as Error).message).toMatch(/^expressCache: /);
    }
  });

  it('refuses a first argument that is not a cache', () => {
    expect(() => expressCache({} as never)).toThrow(
      /expressCache: the first argument must be a cache made by createCache\(\)/,
    );
  });

  it('is middleware an Express route takes as it is, with tags from typed params', () => {
    const app = express();
    app.get(
      '/users/:id',
      expressCache(cache, { ttl: '30s', tags: (req) => [`user:${req.params.id}`] }),
      (_req, res) => {
        res.send('ok');
      },
    );
    expect(KEY_PREFIX).toBe('http:');
  });
});

describe('fastifyCache', () => {
  it.each(bad)('refuses %s in the defaults', (_name, options, message) => {
    expect(() => fastifyCache(cache, options as never)).toThrow(message);
  });

  it.each(bad)('refuses %s in a route config, when the route is registered', async (_name, options, message) => {
    const app = Fastify();
    await app.register(fastifyCache(cache, { ttl: '1m' }));
    let thrown: unknown;
    try {
      app.get('/users/:id', { config: { cache: options as never } }, async () => 'ok');
    } catch (error) {
      thrown = error;
    }
    expect(isCacheOptionsError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/^fastifyCache: route GET \/users\/:id: `config.cache`: /);
    expect((thrown as Error).message).toMatch(message);
    await app.close();
  });

  it('refuses a first argument that is not a cache', () => {
    expect(() => fastifyCache(undefined as never)).toThrow(/fastifyCache: the first argument must be a cache/);
  });

  it('takes the route config of the brief, typed', async () => {
    const app = Fastify();
    const exact = createCache({ store: memoryStore(), jitter: 0, setAsDefault: false });
    await app.register(fastifyCache(exact, { ttl: '1m' }));
    app.get(
      '/users/:id',
      { config: { cache: { ttl: '30s', tags: (req) => [`user:${req.params.id}`] } } },
      async () => 'ok',
    );
    app.get('/all', { config: { cache: true } }, async () => 'ok');
    await app.ready();
    // `cache: true` takes the plugin's defaults.
    await app.inject('/all');
    const hit = await app.inject('/all');
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['cache-control']).toBe('private, max-age=60');
    await app.close();
  });
});
