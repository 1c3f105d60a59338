/** Stable codes for every way a miIO datagram or token can be malformed. Callers branch on `code`. */
export type MiioCodecErrorCode =
  | 'MIIO_ERR_SHORT'
  | 'MIIO_ERR_BAD_MAGIC'
  | 'MIIO_ERR_BAD_LENGTH'
  | 'MIIO_ERR_CHECKSUM'
  | 'MIIO_ERR_BAD_CIPHERTEXT'
  | 'MIIO_ERR_BAD_PADDING'
  | 'MIIO_ERR_PAYLOAD'
  | 'MIIO_ERR_BAD_TOKEN'
  | 'MIIO_ERR_TOO_LARGE'
  | 'MIIO_ERR_NOT_HELLO';

/** Base class of every error raised by `@xmscan/miio-probe`. */
export class MiioError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MiioError';
    this.code = code;
  }
}

/** A datagram, payload or token that does not decode. Messages never contain token bytes. */
export class MiioCodecError extends MiioError {
  declare readonly code: MiioCodecErrorCode;
  constructor(code: MiioCodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MiioCodecError';
  }
}

export function isMiioCodecError(err: unknown): err is MiioCodecError {
  return err instanceof MiioCodecError;
}
