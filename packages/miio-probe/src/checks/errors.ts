import { MiioError } from '../codec/errors.js';

export type CheckErrorCode =
  | 'MIIO_ERR_CHECK_DUPLICATE' // two checks registered under one id
  | 'MIIO_ERR_CHECK_INVALID_META' // id not kebab-case, severity unknown, remediation empty, reference not a URL
  | 'MIIO_ERR_CHECK_THREW' // a check threw instead of returning `error` (reported as a run, never rethrown)
  | 'MIIO_ERR_CHECK_BAD_RESULT' // a check returned something that is not a CheckResult
  | 'MIIO_ERR_CHECK_NO_ADVISORIES'; // the audit context lacks the advisory database

export class CheckError extends MiioError {
  declare readonly code: CheckErrorCode;
  constructor(code: CheckErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CheckError';
  }
}
