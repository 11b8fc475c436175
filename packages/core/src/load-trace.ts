// Loads on the `cachewise:load` tracing channel, so a tracer can time them and parent its spans.
import { tracingChannel } from 'node:diagnostics_channel';
import { LOAD_TRACING_CHANNEL, type LoadTraceContext } from './events.js';
import type { Loader } from './policy.js';

const loads = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);

/** @internal Whether a tracer subscribed to loads (a field read on the hot path). */
export function loadsTraced(): boolean {
  return loads.hasSubscribers;
}

/**
 * @internal Runs a loader on the tracing channel: `start` (its stores bound around the call),
 * `end` when the call returns, then, once the result settles, sync or not, `error` on a
 * failure and `asyncStart` + `asyncEnd` with `result` or `error` set on the context.
 */
export function traceLoad(
  namespace: string,
  label: string,
  key: string,
  fn: Loader,
  self: unknown,
  args: unknown[],
): unknown {
  const context: LoadTraceContext = { namespace, label, key };
  const failed = (error: unknown): void => {
    context.error = error;
    loads.error.publish(context);
    loads.asyncStart.publish(context);
    loads.asyncEnd.publish(context);
  };
  return loads.start.runStores(context, () => {
    let result: unknown;
    try {
      result = fn.apply(self, args);
    } catch (error) {
      loads.end.publish(context);
      failed(error);
      throw error;
    }
    loads.end.publish(context);
    if (result === null || typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') {
      context.result = result;
      loads.asyncStart.publish(context);
      loads.asyncEnd.publish(context);
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        context.result = value;
        loads.asyncStart.publish(context);
        loads.asyncEnd.publish(context);
        return value;
      },
      (error: unknown) => {
        failed(error);
        throw error;
      },
    );
  });
}
