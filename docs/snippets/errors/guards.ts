import { Cached } from '@cachewise/core';

class Reports {
  // An object with a function in it cannot be keyed.
  @Cached()
  async build(filter: { where: string; format?: () => string }): Promise<number> {
    return filter.where.length;
  }
}
const reports = new Reports();
const filter = { where: 'open', format: () => 'csv' };

// #region guards
import {
  isCacheError,
  isCacheOptionsError,
  isKeyDerivationError,
  isNoCacheConfiguredError,
  isSerializationError,
} from '@cachewise/core';

try {
  await reports.build(filter);
} catch (error) {
  if (isKeyDerivationError(error)) {
    // an argument could not be keyed: add a `key` option to the method
  } else if (isCacheError(error)) {
    // another cachewise error: error.code says which
  } else {
    throw error; // the method's own error, unchanged
  }
}
// #endregion guards

export { filter, isCacheOptionsError, isNoCacheConfiguredError, isSerializationError, reports };
