// Store operations on the `cachewise:store` tracing channel, when a tracer listens, so it
// can time them and make a span of each under the caller's.
import { tracingChannel } from 'node:diagnostics_channel';
import { STORE_TRACING_CHANNEL, type StoreTraceContext } from './events.js';
import type { MaybePromise } from './store.js';

const stores = tracingChannel<unknown, StoreTraceContext>(STORE_TRACING_CHANNEL);

/** @internal Whether a tracer subscribed to store operations (a few field reads on the hit path). */
export function storesTraced(): boolean {
  return stores.hasSubscribers;
}

/**
 * @internal Runs a store operation on the tracing channel: `start` (its stores bound around
 * the operation), `end` when it returns, then, once its answer settles, sync or not, `error`
 * on a failure and `asyncStart` + `asyncEnd`. A synchronous answer stays synchronous.
 */
export function traceStore<T>(context: StoreTraceContext, run: () => MaybePromise<T>): MaybePromise<T> {
  const failed = (error: unknown): void => {
    context.error = error;
    stores.error.publish(context);
    stores.asyncStart.publish(context);
    stores.asyncEnd.publish(context);
  };
  return stores.start.runStores(context, () => {
    let answer: MaybePromise<T>;
    try {
      answer = run();
    } catch (error) {
      stores.end.publish(context);
      failed(error);
      throw error;
    }
    stores.end.publish(context);
    if (!(answer instanceof Promise)) {
      stores.asyncStart.publish(context);
      stores.asyncEnd.publish(context);
      return answer;
    }
    return answer.then(
      (value) => {
        stores.asyncStart.publish(context);
        stores.asyncEnd.publish(context);
        return value;
      },
      (error: unknown) => {
        failed(error);
        throw error;
      },
    );
  });
}
