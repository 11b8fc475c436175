/** @internal Marks tiered stores, so createCache can refuse a `serializer` it would not use. */
export const TIERED = Symbol.for('cachewise.tiered');

/** @internal True for a store made by `tiered()`. */
export function isTiered(store: unknown): boolean {
  return typeof store === 'object' && store !== null && (store as { [TIERED]?: unknown })[TIERED] === true;
}
