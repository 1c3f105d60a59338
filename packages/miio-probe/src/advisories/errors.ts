import { MiioError } from '../codec/errors.js';

export type AdvisoryErrorCode =
  | 'MIIO_ERR_ADVISORY_INVALID' // a record does not have the expected shape
  | 'MIIO_ERR_ADVISORY_DUPLICATE' // two records share an id (or an alias points at two records)
  | 'MIIO_ERR_ADVISORY_READ'; // the data directory or a file could not be read / parsed

export class AdvisoryError extends MiioError {
  declare readonly code: AdvisoryErrorCode;
  /** File or record the problem is in, when known. */
  readonly source: string | undefined;
  constructor(code: AdvisoryErrorCode, message: string, options?: { cause?: unknown; source?: string }) {
    super(code, message, options);
    this.name = 'AdvisoryError';
    this.source = options?.source;
  }
}
