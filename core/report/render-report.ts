import type { ReportFormat } from '../api/comparison.js';
import { csvReport } from './csv-report.js';
import { htmlReport } from './html-report.js';
import { markdownReport } from './markdown-report.js';
import type { ReportInput } from './report-input.js';

export const REPORT_FORMATS: readonly ReportFormat[] = ['html', 'md', 'csv'];

export class ReportFormatError extends Error {
  override name = 'ReportFormatError';
}

/** A report in one of the formats, as text. */
export function renderReport(input: ReportInput, format: ReportFormat): string {
  switch (format) {
    case 'html':
      return htmlReport(input);
    case 'md':
      return markdownReport(input);
    case 'csv':
      return csvReport(input);
    default:
      throw new ReportFormatError(`Unknown report format '${String(format)}'; use ${REPORT_FORMATS.join(', ')}`);
  }
}
