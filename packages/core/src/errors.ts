/**
 * Every error cachewise throws is a `CacheError` with a literal `name`, a stable `code`
 * and, where one exists, the underlying `cause`. Type guards check `name`, so they work
 * across two copies of the package in one process.
 */
export type CacheErrorCode =
  | 'ERR_CACHE_OPTIONS'
  | 'ERR_CACHE_KEY'
  | 'ERR_CACHE_SERIALIZE'
  | 'ERR_CACHE_DECODE'
  | 'ERR_CACHE_NO_CACHE'
  | 'ERR_CACHE_STORE';

/**
 * Base class of every cachewise error. `error instanceof CacheError` is true for all of
 * them, including {@link CacheOptionsError}, which is a `TypeError`.
 */
export class CacheError extends Error {
  override name: string = 'CacheError';
  readonly code: CacheErrorCode;

  constructor(code: CacheErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about
    if (this === CacheError) return isCacheError(value);
    // biome-ignore lint/complexity/noThisInStatic: as above
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * An option or argument is invalid: a `TypeError` (and a `CacheError`) thrown at creation
 * or decoration time, whose message names the option and says what would be valid.
 */
export class CacheOptionsError extends TypeError {
  override name = 'CacheOptionsError' as const;
  readonly code = 'ERR_CACHE_OPTIONS' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An argument of a cached call cannot be turned into a key (a function, a symbol, a cycle). */
export class KeyDerivationError extends CacheError {
  override name = 'KeyDerivationError' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CACHE_KEY', message, options);
  }
}

/**
 * A value cannot be serialized for a store that keeps bytes. The value is returned, not cached.
 * When the serializer refused a part of the value, `path` says where (`$` is the value,
 * then `.key`, `[index]`, `.get(key)` for a Map's value, ...) and, for an instance of a
 * class it does not know, `className` names the class.
 */
export class SerializationError extends CacheError {
  override name = 'SerializationError' as const;
  /** Where in the value the refused part is, e.g. `$.orders[3]`; absent when the whole payload was refused (size). */
  readonly path: string | undefined;
  /** The refused instance's class name (its constructor's `name`), when a class instance was refused. */
  readonly className: string | undefined;
  constructor(message: string, options?: { cause?: unknown; path?: string; className?: string }) {
    super('ERR_CACHE_SERIALIZE', message, options);
    this.path = options?.path;
    this.className = options?.className;
  }
}

/** A payload read from a store is not one this version can decode. Treated as a miss. */
export class DecodeError extends CacheError {
  override name = 'DecodeError' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CACHE_DECODE', message, options);
  }
}

/** A decorator ran with no cache: none was created, and none was named. */
export class NoCacheConfiguredError extends CacheError {
  override name = 'NoCacheConfiguredError' as const;
  constructor(message: string) {
    super('ERR_CACHE_NO_CACHE', message);
  }
}

/**
 * Why a store operation did not answer: it `'failed'` (the store threw or rejected), it
 * gave no answer within `storeTimeout` (`'timeout'`), or it was not sent because the
 * circuit breaker is open (`'circuit-open'`).
 */
export type StoreErrorReason = 'failed' | 'timeout' | 'circuit-open';

/**
 * A store operation failed, timed out, or was not sent (circuit breaker open). Readers
 * never see it: it is counted and emitted. `set`, and invalidations made with
 * `whenUnreachable: 'reject'` (the default), reject with it.
 */
export class StoreError extends CacheError {
  override name = 'StoreError' as const;
  readonly reason: StoreErrorReason;
  constructor(message: string, options?: { cause?: unknown; reason?: StoreErrorReason }) {
    super('ERR_CACHE_STORE', message, options);
    this.reason = options?.reason ?? 'failed';
  }
}

function hasName(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/** True for any error thrown by cachewise, from any copy of the package. */
export function isCacheError(error: unknown): error is CacheError {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('ERR_CACHE_');
}
/** True for {@link CacheOptionsError}. */
export const isCacheOptionsError = (e: unknown): e is CacheOptionsError => hasName(e, 'CacheOptionsError');
/** True for {@link KeyDerivationError}. */
export const isKeyDerivationError = (e: unknown): e is KeyDerivationError => hasName(e, 'KeyDerivationError');
/** True for {@link SerializationError}. */
export const isSerializationError = (e: unknown): e is SerializationError => hasName(e, 'SerializationError');
/** True for {@link NoCacheConfiguredError}. */
export const isNoCacheConfiguredError = (e: unknown): e is NoCacheConfiguredError =>
  hasName(e, 'NoCacheConfiguredError');
/** True for {@link DecodeError}. */
export const isDecodeError = (e: unknown): e is DecodeError => hasName(e, 'DecodeError');
/** True for {@link StoreError}. */
export const isStoreError = (e: unknown): e is StoreError => hasName(e, 'StoreError');

/**
 * A copy of a store's error that keeps its name and message only. Client errors can
 * carry the command's arguments (a payload, a value); events and causes never do.
 */
export function withoutArguments(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const copy = new Error(error.message);
  copy.name = error.name;
  return copy;
}
