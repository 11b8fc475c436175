import { cache } from '../getting-started/create-cache.js';
import { logger, metrics } from '../support.js';

// #region export
setInterval(() => {
  const { hitRate, offloadRate, byMethod, advice } = cache.stats();
  metrics.gauge('cache.hit_rate', hitRate);
  metrics.gauge('cache.offload_rate', offloadRate);
  for (const [label, method] of Object.entries(byMethod)) {
    metrics.gauge('cache.hit_rate', method.hitRate, { method: label });
    metrics.gauge('cache.offload_rate', method.offloadRate, { method: label });
  }
  if (advice !== undefined) logger.warn(advice);
}, 60_000).unref();
// #endregion export
