// Calling loaders, on the `cachewise:load` tracing channel when a tracer listens, so it can
// time them and parent its spans.
import { tracingChannel } from 'node:diagnostics_channel';
import { CacheOptionsError } from './errors.js';
import { LOAD_TRACING_CHANNEL, type LoadTraceContext } from './events.js';
import type { CallPolicy, Loader } from './policy.js';
import { describeValue } from './validate.js';

const loads = tracingChannel<unknown, LoadTraceContext>(LOAD_TRACING_CHANNEL);

/** @internal Whether a tracer subscribed to loads (a field read on the hot path). */
export function loadsTraced(): boolean {
  return loads.hasSubscribers;
}

/**
 * @internal Calls a loader. A decorated method that returns no promise throws a
 * CacheOptionsError: a failed load (its callers expect a promise).
 */
export function callLoader(policy: CallPolicy, fn: Loader, self: unknown, args: unknown[]): unknown {
  const result = fn.apply(self, args);
  if (policy.requirePromise && !isPromiseLike(result)) {
    throw new CacheOptionsError(
      `${policy.label} returned ${describeValue(result)}, not a Promise: @Cached methods must be async ` +
        '(their callers receive a Promise either way)',
    );
  }
  return result;
}

function isPromiseLike(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * @internal {@link callLoader} on the tracing channel: `start` (its stores bound around the
 * call), `end` when the call returns, then, once the result settles, sync or not, `error` on
 * a failure and `asyncStart` + `asyncEnd` with `result` or `error` set on the context.
 */
export function traceLoad(
  namespace: string,
  key: string,
  policy: CallPolicy,
  fn: Loader,
  self: unknown,
  args: unknown[],
): unknown {
  const context: LoadTraceContext = { namespace, label: policy.row, key };
  const failed = (error: unknown): void => {
    context.error = error;
    loads.error.publish(context);
    loads.asyncStart.publish(context);
    loads.asyncEnd.publish(context);
  };
  return loads.start.runStores(context, () => {
    let result: unknown;
    try {
      result = callLoader(policy, fn, self, args);
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
