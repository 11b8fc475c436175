// The request key: normalisation that merges equivalent requests, and JSON encoding that
// keeps every other pair apart (no request can forge another's key).

import { describe, expect, it } from 'vitest';
import { requestKey } from '../src/key.js';

const key = (url: string, headers: Record<string, string> = {}, vary: string[] = []) =>
  requestKey({ method: 'GET', url, headers, vary });

describe('requestKey', () => {
  it('normalises percent-encoding of unreserved characters and the case of hex, but keeps %2F apart from /', () => {
    expect(key('/users/%41%7e')).toBe(key('/users/A~'));
    expect(key('/a%2fb')).toBe(key('/a%2Fb'));
    expect(key('/a%2Fb')).not.toBe(key('/a/b'));
  });

  it('sorts the query by name, keeps duplicates in order, and decodes + and escapes', () => {
    expect(key('/s?b=1&a=2&a=3')).toBe(key('/s?a=2&b=1&a=3'));
    expect(key('/s?a=2&a=3')).not.toBe(key('/s?a=3&a=2'));
    expect(key('/s?q=a+b')).toBe(key('/s?q=a%20b'));
    expect(key('/s')).toBe(key('/s?'));
  });

  it('cannot be forged: separators inside values stay inside them', () => {
    const keys = [
      key('/s?a=1%26b%3D2'),
      key('/s?a=1&b=2'),
      key('/s?a=%22%5D'),
      key('/s', { 'accept-language': 'fr' }, ['accept-language']),
      key('/s', { 'accept-language': '' }, ['accept-language']),
      key('/s', {}, ['accept-language']),
      key('/s?accept-language=fr'),
      requestKey({ method: 'POST', url: '/s', headers: {}, vary: [] }),
      key('/s'),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('hashes long keys', () => {
    const long = key(`/s?q=${'x'.repeat(500)}`);
    expect(long).toMatch(/^http:#[\w-]{43}$/);
    expect(long).not.toBe(key(`/s?q=${'x'.repeat(501)}`));
  });
});
