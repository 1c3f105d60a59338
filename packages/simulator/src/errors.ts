/** Stable codes for every way the simulator refuses to start. Callers branch on `code`, never on text. */
export type SimErrorCode =
  | 'SIM_ERR_PROFILE'
  | 'SIM_ERR_PROFILE_NOT_FOUND'
  | 'SIM_ERR_UNKNOWN_DEVICE'
  | 'SIM_ERR_UNSAFE'
  | 'SIM_ERR_ARGS'
  | 'SIM_ERR_BIND'
  | 'SIM_ERR_INTERFACE';

/** Base error of `@xmscan/simulator`. Messages never contain token bytes. */
export class SimError extends Error {
  readonly code: SimErrorCode;
  constructor(code: SimErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimError';
    this.code = code;
  }
}

export function isSimError(err: unknown): err is SimError {
  return err instanceof SimError;
}
