import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { CACHE_CHANNELS, type CacheChannelMessage, LOAD_TRACING_CHANNEL, type LoadTraceContext } from '@cachewise/core';

const seen: unknown[][] = [];
const console = { log: (...args: unknown[]) => seen.push(args) };

// #region channels
// Any cache in the process, any tracer: no reference to the cache needed.
const onMiss = (message: unknown) => {
  const { namespace, label, key } = message as CacheChannelMessage<'miss'>;
  console.log('miss', namespace, label, key);
};
subscribe(CACHE_CHANNELS.miss, onMiss); // 'cachewise:miss'

const loads = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL); // 'cachewise:load'
const startedAt = new WeakMap<LoadTraceContext, number>();
const timing = {
  start: (load: LoadTraceContext) => startedAt.set(load, performance.now()),
  end: () => {},
  asyncStart: () => {},
  asyncEnd: (load: LoadTraceContext) =>
    console.log('load', load.label, 'error' in load ? 'failed' : 'ok', performance.now() - startedAt.get(load)!),
  error: () => {},
};
loads.subscribe(timing);
// #endregion channels

export function stop(): void {
  unsubscribe(CACHE_CHANNELS.miss, onMiss);
  loads.unsubscribe(timing);
}
export { seen };
