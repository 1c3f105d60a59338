/** Stable codes for every way report data can be rejected. Callers branch on `code`, never on text. */
export type ReportErrorCode =
  | 'REPORT_ERR_BAD_SEVERITY' // a severity string outside SEVERITIES
  | 'REPORT_ERR_BAD_STATUS' // a check-run status outside CHECK_STATUSES
  | 'REPORT_ERR_BAD_REPORT' // a report (or its parts) does not have the v1 shape
  | 'REPORT_ERR_BAD_CLOCK' // the injected clock returned something that is not a valid time
  | 'REPORT_ERR_UNKNOWN_FORMAT' // no writer of that name
  | 'REPORT_ERR_WRITE' // the output stream failed
  | 'REPORT_ERR_BAD_IGNORE' // an ignore file (--ignore) that cannot be read or has a bad entry
  | 'REPORT_ERR_HISTORY' // the history database cannot be opened, read or written
  | 'REPORT_ERR_NO_SCAN' // a history scan id that does not exist, or too few scans to diff
  | 'REPORT_ERR_SECRET_LEAK'; // a report about to be stored still holds a raw secret: refused

/** Base (and only) error class of `@xmscan/report`. */
export class ReportError extends Error {
  readonly code: ReportErrorCode;
  constructor(code: ReportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReportError';
    this.code = code;
  }
}

export function isReportError(err: unknown): err is ReportError {
  return err instanceof ReportError;
}
