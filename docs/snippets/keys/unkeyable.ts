import { Cached } from '@cachewise/core';
import type { Report } from '../support.js';

export class Reports {
  runs = 0;
  // #region unkeyable
  // Build the key from the arguments that matter.
  @Cached({ key: (id: number, _onProgress: (n: number) => void) => `report:${id}` })
  async report(id: number, onProgress: (n: number) => void): Promise<Report> {
    onProgress(1);
    return { id, rows: ++this.runs };
  }

  // Or skip the cache for calls that carry such an argument.
  @Cached({ condition: (_id: number, onProgress?: unknown) => onProgress === undefined })
  async exportCsv(id: number, onProgress?: (n: number) => void): Promise<string> {
    onProgress?.(1);
    return `id\n${id}\n`;
  }
  // #endregion unkeyable
}
