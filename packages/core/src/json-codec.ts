import { DecodeError } from './errors.js';
import { decodeSpecial, encodeSpecial, MARK, MAX_DEPTH, Refusal, refuseClass, type Special } from './json-special.js';
import { TYPED_ARRAY_CLASSES } from './typed-arrays.js';

/** A class registered on a JSON serializer, as the codec uses it (validated by `createJsonSerializer`). */
export interface RegisteredClass {
  readonly name: string;
  readonly prototype: object;
  readonly toJSON: ((instance: never) => unknown) | undefined;
  readonly revive: ((plain: never) => unknown) | undefined;
}

/** What the codec knows about registered classes, looked up by prototype (encode) and by name (decode). */
export interface ClassRegistry {
  readonly byPrototype: ReadonlyMap<object, RegisteredClass>;
  readonly byName: ReadonlyMap<string, RegisteredClass>;
}

export const NO_CLASSES: ClassRegistry = { byPrototype: new Map(), byName: new Map() };

/**
 * True when `JSON.stringify` alone keeps the value exactly: strings, booleans, finite
 * numbers other than -0, `null`, dense arrays with no other own properties, and objects
 * whose prototype is `Object.prototype`, with no `toJSON`, no symbol keys and no key that
 * starts with the tag mark. Anything else takes the tagged path, which round-trips it or
 * refuses it. This is the fast path: it must stay one cheap walk.
 */
export function isPlainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isPlainJson(value[i], depth + 1)) return false;
        // With no holes, any extra key (`Object.assign([1], { x: 2 })`) makes the count differ.
        return Object.keys(value).length === value.length && Object.getOwnPropertySymbols(value).length === 0;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      if ('toJSON' in value) return false;
      if (Object.getOwnPropertySymbols(value).length !== 0) return false;
      for (const key in value) {
        if (key.startsWith(MARK) || !isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Encodes a value that is not plain JSON into JSON-able data with tags; throws {@link Refusal}. */
export function toTagged(value: unknown, depth: number, stack: object[], classes: ClassRegistry): unknown {
  if (typeof value !== 'object' || value === null) return encodeSpecial(value);
  const object = value as object;
  if (depth > MAX_DEPTH) throw new Refusal(`a value nested deeper than ${MAX_DEPTH} levels`);
  if (stack.includes(object)) throw new Refusal('a value with a cycle');
  stack.push(object);
  try {
    return encodeObject(object, depth, stack, classes);
  } finally {
    stack.pop();
  }
}

function encodeObject(object: object, depth: number, stack: object[], classes: ClassRegistry): unknown {
  const proto = Object.getPrototypeOf(object) as object | null;
  if (proto === Array.prototype && Array.isArray(object)) return encodeArray(object, depth, stack, classes);
  if (proto === Object.prototype) return encodeProperties(object, depth, stack, classes);
  if (proto === null) return { [MARK]: 'O', v: encodeProperties(object, depth, stack, classes) };
  const special = encodeBuiltIn(object, proto, (item, segment) => child(item, segment, depth, stack, classes));
  if (special !== undefined) return special;
  const registered = classes.byPrototype.get(proto);
  if (registered === undefined) throw refuseClass(proto);
  let plain: unknown = object;
  if (registered.toJSON !== undefined) {
    try {
      plain = registered.toJSON(object as never);
    } catch (cause) {
      throw new Refusal(`an instance of ${registered.name}: its toJSON hook threw`, {
        className: registered.name,
        cause,
      });
    }
    return { [MARK]: 'C', c: registered.name, v: child(plain, '.toJSON()', depth, stack, classes) };
  }
  return { [MARK]: 'C', c: registered.name, v: encodeProperties(object, depth, stack, classes) };
}

/** Date, Map, Set and typed arrays of exactly the built-in class; undefined for anything else. */
function encodeBuiltIn(
  object: object,
  proto: object,
  encode: (item: unknown, segment: string) => unknown,
): Special | undefined {
  if (proto === Date.prototype || proto === Map.prototype || proto === Set.prototype)
    refuseOwnProperties(object, proto);
  if (proto === Date.prototype) {
    const time = (object as Date).getTime();
    return { [MARK]: 'D', v: Number.isNaN(time) ? null : time };
  }
  if (proto === Map.prototype) {
    const entries: unknown[] = [];
    let i = 0;
    for (const [key, item] of object as Map<unknown, unknown>) {
      entries.push([encode(key, `.entries[${i}][0]`), encode(item, mapValueSegment(key, i))]);
      i++;
    }
    return { [MARK]: 'M', v: entries };
  }
  if (proto === Set.prototype) {
    const items: unknown[] = [];
    for (const item of object as Set<unknown>) items.push(encode(item, `.values[${items.length}]`));
    return { [MARK]: 'S', v: items };
  }
  const name = TYPED_ARRAY_NAMES.get(proto);
  if (name === undefined) return undefined;
  const view = object as ArrayBufferView;
  const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  return { [MARK]: 'A', c: name, v: bytes.toString('base64') };
}

// By prototype, not `constructor.name`: a subclass, or a class that calls itself
// `Uint8Array`, is not the built-in and is refused.
// The names are the built-ins' own (fixed by the language, never minified): they are
// what a payload holds.
const TYPED_ARRAY_NAMES: ReadonlyMap<object, string> = new Map<object, string>(
  [...TYPED_ARRAY_CLASSES, Buffer].map((type) => [type.prototype, type.name]),
);

/** A Date, Map or Set with own properties would lose them: refused. */
function refuseOwnProperties(object: object, proto: object): void {
  if (Object.keys(object).length !== 0 || Object.getOwnPropertySymbols(object).length !== 0) {
    const name = (proto as { constructor: { name: string } }).constructor.name;
    throw new Refusal(`a ${name} with its own properties (they would be lost)`);
  }
}

/** Own enumerable string-keyed properties as an object; keys that start with the mark are escaped. */
function encodeProperties(
  object: object,
  depth: number,
  stack: object[],
  classes: ClassRegistry,
): Record<string, unknown> {
  refuseSymbolKeys(object);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const item = child((object as Record<string, unknown>)[key], keySegment(key), depth, stack, classes);
    define(out, key.startsWith(MARK) ? MARK + key : key, item);
  }
  return out;
}

function refuseSymbolKeys(object: object): void {
  for (const symbol of Object.getOwnPropertySymbols(object)) {
    if (Object.prototype.propertyIsEnumerable.call(object, symbol)) {
      throw new Refusal(`an object with a symbol-keyed property (${String(symbol)}), which JSON cannot hold`);
    }
  }
}

/**
 * A dense array with no other keys stays a JSON array. Otherwise it is tagged `R`: its
 * elements, with a hole marker `{"\u0000":"H","n":count}` for each run of holes (so a
 * huge sparse array costs its present elements only), and its other keys under `p`.
 */
function encodeArray(array: unknown[], depth: number, stack: object[], classes: ClassRegistry): unknown {
  refuseSymbolKeys(array);
  const keys = Object.keys(array);
  const length = array.length;
  // Indices come first, ascending: the last of `length` keys being `length - 1` means dense.
  if (keys.length === length && (length === 0 || keys[length - 1] === String(length - 1))) {
    const out: unknown[] = new Array(length);
    for (let i = 0; i < length; i++) out[i] = child(array[i], `[${i}]`, depth, stack, classes);
    return out;
  }
  const items: unknown[] = [];
  const extra: Record<string, unknown> = {};
  let next = 0;
  let extras = 0;
  for (const key of keys) {
    const index = arrayIndex(key);
    if (index === undefined) {
      define(
        extra,
        key.startsWith(MARK) ? MARK + key : key,
        child(array[key as never], keySegment(key), depth, stack, classes),
      );
      extras++;
      continue;
    }
    if (index > next) items.push({ [MARK]: 'H', n: index - next });
    items.push(child(array[index], `[${index}]`, depth, stack, classes));
    next = index + 1;
  }
  if (length > next) items.push({ [MARK]: 'H', n: length - next });
  return extras === 0 ? { [MARK]: 'R', v: items } : { [MARK]: 'R', v: items, p: extra };
}

/** The array index a property key names, or undefined (`'01'`, `'-1'`, `'4294967295'` are not indices). */
export function arrayIndex(key: string): number | undefined {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < MAX_ARRAY_LENGTH && String(n) === key ? n : undefined;
}
export const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/** Encodes one part of a value; a refusal below it gets this part's place in its path. */
function child(value: unknown, segment: string, depth: number, stack: object[], classes: ClassRegistry): unknown {
  try {
    return toTagged(value, depth + 1, stack, classes);
  } catch (error) {
    if (error instanceof Refusal) error.segments.push(segment);
    throw error;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function mapValueSegment(key: unknown, i: number): string {
  switch (typeof key) {
    case 'string':
      return `.get(${JSON.stringify(key)})`;
    case 'number':
    case 'boolean':
    case 'undefined':
      return `.get(${String(key)})`;
    case 'bigint':
      return `.get(${key}n)`;
    default:
      return key === null ? '.get(null)' : `.entries[${i}][1]`;
  }
}

/** Decodes tagged data made by {@link toTagged}; throws `DecodeError` for anything it did not make. */
export function fromTagged(value: unknown, depth: number, classes: ClassRegistry): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) throw new DecodeError('payload nested too deeply');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromTagged(value[i], depth + 1, classes);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (!Object.hasOwn(record, MARK)) return decodeProperties(record, {}, depth, classes);
  switch (record[MARK]) {
    case 'O':
      if (!isRecord(record.v)) break;
      return decodeProperties(record.v, Object.create(null) as Record<string, unknown>, depth, classes);
    case 'R':
      return decodeArray(record, depth, classes);
    case 'C':
      return decodeInstance(record, depth, classes);
    default:
      return decodeSpecial(record, (item) => fromTagged(item, depth + 1, classes));
  }
  throw new DecodeError(`bad ${String(record[MARK])} value in payload`);
}

function decodeProperties<T extends object>(
  record: Record<string, unknown>,
  target: T,
  depth: number,
  classes: ClassRegistry,
): T {
  for (const key of Object.keys(record)) {
    define(
      target as Record<string, unknown>,
      key.startsWith(MARK) ? key.slice(1) : key,
      fromTagged(record[key], depth + 1, classes),
    );
  }
  return target;
}

function decodeArray(record: Record<string, unknown>, depth: number, classes: ClassRegistry): unknown[] {
  const { v, p } = record;
  if (!Array.isArray(v) || (p !== undefined && !isRecord(p))) throw new DecodeError('bad array in payload');
  const out: unknown[] = [];
  let next = 0;
  for (const item of v) {
    if (isRecord(item) && item[MARK] === 'H' && Object.keys(item).length === 2) {
      const n = item.n;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || next + n > MAX_ARRAY_LENGTH) {
        throw new DecodeError('bad hole run in an array in payload');
      }
      next += n;
      continue;
    }
    if (next >= MAX_ARRAY_LENGTH) throw new DecodeError('array in payload is too long');
    out[next++] = fromTagged(item, depth + 1, classes);
  }
  out.length = next; // trailing holes
  if (p === undefined) return out;
  for (const key of Object.keys(p)) {
    const name = key.startsWith(MARK) ? key.slice(1) : key;
    if (name === 'length' || arrayIndex(name) !== undefined)
      throw new DecodeError(`bad array property ${JSON.stringify(name)} in payload`);
    define(out as unknown as Record<string, unknown>, name, fromTagged(p[key], depth + 1, classes));
  }
  return out;
}

function decodeInstance(record: Record<string, unknown>, depth: number, classes: ClassRegistry): unknown {
  const name = record.c;
  if (typeof name !== 'string') throw new DecodeError('bad class instance in payload');
  const registered = classes.byName.get(name);
  if (registered === undefined) {
    throw new DecodeError(`unknown class ${JSON.stringify(name)} in payload: it is not registered on this serializer`);
  }
  const plain = fromTagged(record.v, depth + 1, classes);
  if (registered.revive !== undefined) {
    try {
      return registered.revive(plain as never);
    } catch (cause) {
      throw new DecodeError(`the revive hook of class ${name} threw`, { cause });
    }
  }
  if (!isRecord(plain) || Object.getPrototypeOf(plain) !== Object.prototype) {
    throw new DecodeError(`bad instance of class ${name} in payload`);
  }
  // No constructor, no setters: the prototype comes from the registration, data properties from the payload.
  const instance = Object.create(registered.prototype) as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    Object.defineProperty(instance, key, { value: plain[key], enumerable: true, writable: true, configurable: true });
  }
  return instance;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own data property, so a `__proto__` key never reaches a prototype. */
export function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
