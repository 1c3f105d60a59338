/** Stable codes for every way a notification can be refused or fail. */
export type NotifyErrorCode =
  | 'SCAN_ERR_NOTIFY_URL' // a --notify value that is not a supported URL (usage error, before scanning)
  | 'SCAN_ERR_NOTIFY_UNSAFE' // the final scrub found secret-looking bytes in a payload: nothing was sent
  | 'SCAN_ERR_NOTIFY_HTTP' // the receiver answered with a non-2xx status on the last attempt
  | 'SCAN_ERR_NOTIFY_NETWORK' // connection refused/reset, DNS failure, per-attempt timeout
  | 'SCAN_ERR_NOTIFY_RATE_LIMITED' // 429 with a Retry-After beyond our cap
  | 'SCAN_ERR_NOTIFY_DEADLINE'; // the overall notification deadline ran out (or the run was interrupted)

export class NotifyError extends Error {
  readonly code: NotifyErrorCode;
  /** HTTP status of the last answer, when there was one. */
  readonly status?: number;
  constructor(code: NotifyErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NotifyError';
    this.code = code;
    if (options?.status !== undefined) this.status = options.status;
  }
}

export function isNotifyError(err: unknown): err is NotifyError {
  return err instanceof NotifyError;
}
