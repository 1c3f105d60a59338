import { MiioError } from '../codec/errors.js';

/**
 * Stable codes for every way a network probe can fail. Callers branch on `code`, never on text.
 * Messages name the host/port and what went wrong; they never carry device-supplied bytes raw.
 */
export type ProbeErrorCode =
  | 'MIIO_ERR_TCP_REFUSED' // RST on connect: the port is closed
  | 'MIIO_ERR_TCP_TIMEOUT' // no SYN-ACK within connectTimeoutMs: filtered or host down
  | 'MIIO_ERR_TCP_UNREACHABLE' // EHOSTUNREACH / ENETUNREACH
  | 'MIIO_ERR_TCP_RESET' // connection reset after it was established
  | 'MIIO_ERR_TCP' // any other socket error
  | 'MIIO_ERR_UDP' // datagram socket could not be opened or send failed
  | 'MIIO_ERR_ABORTED' // the caller's AbortSignal fired
  | 'MIIO_ERR_PROBE_TIMEOUT' // connected (or sent) but no usable answer before the deadline
  | 'MIIO_ERR_PROBE_BAD_REPLY' // an answer arrived but is not the protocol we asked for
  | 'MIIO_ERR_PROBE_NOT_FOUND' // HTTP endpoint answered 404 / not present
  | 'MIIO_ERR_BAD_PORTS' // a user port list does not parse
  | 'MIIO_ERR_BAD_OPTIONS'; // invalid probe options (programming error surfaced as a value)

export class ProbeError extends MiioError {
  declare readonly code: ProbeErrorCode;
  constructor(code: ProbeErrorCode, message: string) {
    super(code, message);
    this.name = 'ProbeError';
  }
  /** Plain form for results and reports (an Error does not serialise its own fields). */
  toJSON(): { code: ProbeErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isProbeError(err: unknown): err is ProbeError {
  return err instanceof ProbeError;
}

/** A probe's answer: the value, or a typed error. Probes return this instead of throwing. */
export type ProbeResult<T> = { ok: true; value: T } | { ok: false; error: ProbeError };

export function ok<T>(value: T): ProbeResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ProbeErrorCode, message: string): ProbeResult<T> {
  return { ok: false, error: new ProbeError(code, message) };
}

/** Turn anything thrown inside a probe into a typed error (no stack or foreign text leaks into results). */
export function toProbeError(err: unknown, fallback: ProbeErrorCode = 'MIIO_ERR_TCP'): ProbeError {
  if (err instanceof ProbeError) return err;
  const name = err instanceof Error ? err.name : typeof err;
  return new ProbeError(fallback, `unexpected ${name}`);
}
