// The messages tiered stores send each other on the bus: what changed, numbered per
// publisher so that a receiver can tell when it missed one.

/** Wire-format version, part of the channel name: stores of another format never mix. */
export const WIRE_VERSION = 1;

/** What one store tells the others. Tag ids and keys are the storage ones (namespaced). */
export type TieredMessage =
  | { readonly op: 'tags'; readonly tags: readonly string[]; readonly mode: 'delete' | 'expire' }
  | { readonly op: 'keys'; readonly keys: readonly string[] };

export interface Envelope {
  /** The publishing store's id (random per store instance). */
  readonly from: string;
  /** 1, 2, 3… per publisher: a jump means a lost message. */
  readonly seq: number;
  /**
   * When it was published, in ms since the epoch by the publisher's clock: the receiver's
   * clock minus it is the bus lag (clock skew between servers included). Absent in messages
   * of stores that did not send it; older stores ignore it.
   */
  readonly at?: number;
  readonly message: TieredMessage;
}

export function encodeMessage(envelope: Envelope): string {
  return JSON.stringify({
    v: WIRE_VERSION,
    from: envelope.from,
    seq: envelope.seq,
    at: envelope.at,
    ...envelope.message,
  });
}

const MAX_ITEMS = 10_000;

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= MAX_ITEMS && value.every((item) => typeof item === 'string');
}

/** The envelope in `text`, or a reason why it is not one (foreign, malformed, another version). */
export function decodeMessage(text: string): Envelope | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not an object';
  const { v, from, seq, at, op, tags, keys, mode } = parsed as Record<string, unknown>;
  if (v !== WIRE_VERSION) return `wire version ${String(v)}, expected ${WIRE_VERSION}`;
  if (typeof from !== 'string' || from.length === 0 || from.length > 100) return 'no publisher id';
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return 'no sequence number';
  // A publishing time that is not a finite number is left out, not a reason to drop the message.
  const sent = typeof at === 'number' && Number.isFinite(at) ? { at } : {};
  if (op === 'tags' && isStringList(tags) && (mode === 'delete' || mode === 'expire')) {
    return { from, seq: seq as number, ...sent, message: { op, tags, mode } };
  }
  if (op === 'keys' && isStringList(keys)) return { from, seq: seq as number, ...sent, message: { op, keys } };
  return `unknown operation ${JSON.stringify(op)?.slice(0, 40)}`;
}
