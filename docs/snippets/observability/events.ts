import { cache } from '../getting-started/create-cache.js';
import { logger } from '../support.js';

const logged: unknown[][] = [];
const console = { log: (...args: unknown[]) => logged.push(args) };

// #region events
const off = cache.on('miss', ({ key, label }) => console.log('miss', label, key));
off(); // unsubscribe
// #endregion events

// #region errors
cache.on('error', ({ kind, key, label, error }) => {
  const { name, code, message } = error as { name?: string; code?: string; message?: string };
  logger.warn({ kind, key, label, name, code, message }, 'cache error');
});
// #endregion errors

export { logged };
