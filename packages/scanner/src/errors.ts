/** Stable codes for every way discovery can refuse or fail. Callers (the CLI) branch on `code`. */
export type ScanErrorCode =
  | 'SCAN_ERR_TARGET' // a --target that does not parse
  | 'SCAN_ERR_SCOPE' // a target outside private / loopback / link-local without --allow-public
  | 'SCAN_ERR_TOO_LARGE' // a single target larger than /16 without --allow-large
  | 'SCAN_ERR_INTERFACE' // --interface names no up IPv4 interface
  | 'SCAN_ERR_OPTION' // an option value out of range
  | 'SCAN_ERR_ARP' // the neighbour table could not be read
  | 'SCAN_ERR_SOCKET'; // a socket could not be opened

export class ScanError extends Error {
  readonly code: ScanErrorCode;
  constructor(code: ScanErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanError';
    this.code = code;
  }
}

export function isScanError(err: unknown): err is ScanError {
  return err instanceof ScanError;
}
