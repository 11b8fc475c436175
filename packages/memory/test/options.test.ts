import { CacheError, CacheOptionsError } from '@cachewise/core';
import { type MemoryStoreOptions, memoryStore } from '@cachewise/memory';
import { describe, expect, it } from 'vitest';

function refused(options: unknown): CacheOptionsError {
  try {
    memoryStore(options as MemoryStoreOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toBeInstanceOf(CacheOptionsError);
    expect(error).toBeInstanceOf(CacheError);
    return error as CacheOptionsError;
  }
  throw new Error('expected memoryStore to refuse the options');
}

describe('memoryStore options', () => {
  it.each([0, 1.5, 'x', -1, Number.NaN, 2 ** 31])('refuses maxEntries %j, naming it', (maxEntries) => {
    expect(refused({ maxEntries }).message).toMatch(/`maxEntries`/);
  });

  it.each([0, 0.5, '1kb', -10])('refuses maxBytes %j, naming it', (maxBytes) => {
    expect(refused({ maxBytes }).message).toMatch(/`maxBytes`/);
  });

  it.each([0, 2.5, 'many'])('refuses maxTags %j, naming it', (maxTags) => {
    expect(refused({ maxTags }).message).toMatch(/`maxTags`/);
  });

  it.each(['yes', 1, null])('refuses checkValues %j, naming it', (checkValues) => {
    expect(refused({ checkValues }).message).toMatch(/`checkValues`/);
  });

  it('shows checkValues on the live store (default false), for core to check values on writes', () => {
    expect(memoryStore().checkValues).toBe(false);
    expect(memoryStore({ checkValues: false }).checkValues).toBe(false);
    expect(memoryStore({ checkValues: true }).checkValues).toBe(true);
    expect(memoryStore({ checkValues: true, serialize: true }).checkValues).toBe(true);
  });

  it('declares its capacity (maxEntries, at most 2^24 entries): caches size their key memos by it', () => {
    expect(memoryStore().capacity).toBe(10_000);
    expect(memoryStore({ maxEntries: 123 }).capacity).toBe(123);
    expect(memoryStore({ maxEntries: 2 ** 31 - 1, serialize: true }).capacity).toBe(2 ** 24);
  });

  it('refuses a non-boolean serialize, a non-function sizeOf and a clock without now()', () => {
    expect(refused({ serialize: 'yes' }).message).toMatch(/`serialize`/);
    expect(refused({ sizeOf: 64 }).message).toMatch(/`sizeOf`/);
    expect(refused({ clock: {} }).message).toMatch(/`clock`/);
    expect(refused({ clock: null }).message).toMatch(/`clock`/);
  });

  it.each(['maxItems', 'ttl', 'constructor', 'toString'])('refuses the unknown option %j by name', (name) => {
    const error = refused({ [name]: 1 });
    expect(error.message).toContain(`unknown option '${name}'`);
    expect(error.message).toContain('maxEntries');
  });

  it('refuses options that are not an object', () => {
    expect(refused(null).message).toMatch(/memoryStore/);
    expect(refused(5).message).toMatch(/memoryStore/);
  });

  it('accepts sensible options and picks the payload kind', () => {
    expect(memoryStore().payload).toBe('live');
    expect(memoryStore({ serialize: false }).payload).toBe('live');
    expect(memoryStore({ serialize: true }).payload).toBe('bytes');
    const store = memoryStore({ maxEntries: 1, maxBytes: 1, maxTags: 1, sizeOf: () => 1, clock: { now: () => 0 } });
    expect(store.name).toBe('memory');
    expect(store.size).toBe(0);
  });
});
