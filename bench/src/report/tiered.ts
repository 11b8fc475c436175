import type { ReportContext } from './memory.js';
import type { JobOutcome } from './outcome.js';
export function renderTieredReport(outcomes: readonly JobOutcome[], _context: ReportContext): string {
  return JSON.stringify(outcomes, null, 1);
}
