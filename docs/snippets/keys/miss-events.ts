import { cache } from '../getting-started/create-cache.js';

const logged: unknown[][] = [];
const console = { log: (...args: unknown[]) => logged.push(args) };

// #region miss-events
cache.on('miss', ({ key, label }) => console.log(label, key));
// #endregion miss-events

export { cache, logged };
