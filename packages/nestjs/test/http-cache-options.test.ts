// The interceptor's decorators check their options when they decorate, naming the option.
import { CacheOptionsError } from '@cachewise/core';
import { describe, expect, it } from 'vitest';
import { CacheTags, CacheTTL, CachewiseInterceptor, HttpCache } from '../src/index.js';

describe('@CacheTTL, @CacheTags and @HttpCache refuse bad options up front', () => {
  it('names the decorator and the option', () => {
    expect(() => CacheTTL('soon' as never)).toThrow(CacheOptionsError);
    expect(() => CacheTTL('soon' as never)).toThrow(/@CacheTTL: `ttl`/);
    expect(() => CacheTags(5 as never)).toThrow(
      /@CacheTags: `tags` must be an array of non-empty strings or a function/,
    );
    expect(() => HttpCache({ vary: ['*'] })).toThrow(/@HttpCache: `vary`/);
    expect(() => HttpCache({ methods: ['PUT' as never] })).toThrow(
      /@HttpCache: `methods` must be a non-empty array of 'GET', 'HEAD' and 'POST'/,
    );
    expect(() => HttpCache({ maxAge: 5 } as never)).toThrow(/@HttpCache: unknown option 'maxAge'/);
    expect(() => CachewiseInterceptor.for('')).toThrow(/CachewiseInterceptor.for: `name` must be a non-empty string/);
    expect(CachewiseInterceptor.for('pages')).toBe(CachewiseInterceptor.for('pages'));
  });
});
