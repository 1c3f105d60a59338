/**
 * Typed errors of the miIO client. Callers branch on `code`, never on message text (style.md §7.4).
 * Messages carry addresses, methods and counts, never token bytes.
 */
import { MiioError } from './codec/errors.js';
import { RECOVERABLE_DEVICE_ERRORS } from './codec/message.js';

export type MiioClientErrorCode =
  | 'MIIO_ERR_TIMEOUT'
  | 'MIIO_ERR_TOKEN_REJECTED'
  | 'MIIO_ERR_DEVICE'
  | 'MIIO_ERR_BAD_REPLY'
  | 'MIIO_ERR_EMPTY_REPLY'
  | 'MIIO_ERR_NO_TOKEN'
  | 'MIIO_ERR_ABORTED'
  | 'MIIO_ERR_CLOSED'
  | 'MIIO_ERR_TRANSPORT';

export type MiioPhase = 'handshake' | 'call';

/** No usable answer within the deadline. A silent device and a silently wrong token look the same (§1.10). */
export class MiioTimeoutError extends MiioError {
  declare readonly code: 'MIIO_ERR_TIMEOUT';
  readonly phase: MiioPhase;
  readonly attempts: number;
  readonly elapsedMs: number;
  /** True when the device answered the hello but not the encrypted call: token likely wrong (§1.10 case 1). */
  readonly helloAnswered: boolean;
  constructor(fields: { phase: MiioPhase; attempts: number; elapsedMs: number; helloAnswered: boolean; method?: string }) {
    super(
      'MIIO_ERR_TIMEOUT',
      `no ${fields.phase === 'handshake' ? 'hello reply' : `reply to ${fields.method ?? 'call'}`} after ${fields.attempts} attempt(s), ${Math.round(fields.elapsedMs)} ms`,
    );
    this.name = 'MiioTimeoutError';
    this.phase = fields.phase;
    this.attempts = fields.attempts;
    this.elapsedMs = fields.elapsedMs;
    this.helloAnswered = fields.helloAnswered;
  }
}

/**
 * The device did not accept our token: a bare 32-byte reply to an encrypted request, or a reply
 * whose checksum does not verify under our token (protocols.md §1.6, §1.10 case 2).
 */
export class MiioTokenRejectedError extends MiioError {
  declare readonly code: 'MIIO_ERR_TOKEN_REJECTED';
  readonly reason: 'bare-header' | 'checksum';
  constructor(reason: 'bare-header' | 'checksum', options?: { cause?: unknown }) {
    super(
      'MIIO_ERR_TOKEN_REJECTED',
      reason === 'checksum' ? 'reply checksum does not verify under our token' : 'device answered an encrypted request with a bare header',
      options,
    );
    this.name = 'MiioTokenRejectedError';
    this.reason = reason;
  }
}

/** The device answered with an error envelope `{"error":{"code","message"}}` (§1.7). */
export class MiioDeviceError extends MiioError {
  declare readonly code: 'MIIO_ERR_DEVICE';
  /** The device's own numeric code, e.g. -5001 invalid_arg, -10000 method not supported. */
  readonly deviceCode: number;
  readonly deviceMessage: string;
  /** python-miio retries -30001 and -9999 (RECOVERABLE_ERRORS). */
  readonly recoverable: boolean;
  readonly method: string;
  constructor(method: string, deviceCode: number, deviceMessage: string) {
    // Device text is bounded: it is hostile input and may end up in a report.
    const msg = deviceMessage.slice(0, 200);
    super('MIIO_ERR_DEVICE', `device error ${deviceCode} (${JSON.stringify(msg)}) for ${method}`);
    this.name = 'MiioDeviceError';
    this.deviceCode = deviceCode;
    this.deviceMessage = msg;
    this.recoverable = RECOVERABLE_DEVICE_ERRORS.has(deviceCode);
    this.method = method;
  }
}

/** A reply that verified under our token but cannot be used: undecodable, or not the expected shape. */
export class MiioBadReplyError extends MiioError {
  declare readonly code: 'MIIO_ERR_BAD_REPLY' | 'MIIO_ERR_EMPTY_REPLY';
  constructor(code: 'MIIO_ERR_BAD_REPLY' | 'MIIO_ERR_EMPTY_REPLY', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MiioBadReplyError';
  }
}

/** `call()` needs a token and the client has none. */
export class MiioNoTokenError extends MiioError {
  declare readonly code: 'MIIO_ERR_NO_TOKEN';
  constructor() {
    super('MIIO_ERR_NO_TOKEN', 'an encrypted call needs a token');
    this.name = 'MiioNoTokenError';
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class MiioAbortedError extends MiioError {
  declare readonly code: 'MIIO_ERR_ABORTED';
  constructor(options?: { cause?: unknown }) {
    super('MIIO_ERR_ABORTED', 'miIO request aborted', options);
    this.name = 'MiioAbortedError';
  }
}

/** The client was closed before or while the request ran. */
export class MiioClosedError extends MiioError {
  declare readonly code: 'MIIO_ERR_CLOSED';
  constructor() {
    super('MIIO_ERR_CLOSED', 'miIO client is closed');
    this.name = 'MiioClosedError';
  }
}

/** The UDP socket failed (bind or send). Not a device answer. */
export class MiioTransportError extends MiioError {
  declare readonly code: 'MIIO_ERR_TRANSPORT';
  constructor(message: string, options?: { cause?: unknown }) {
    super('MIIO_ERR_TRANSPORT', message, options);
    this.name = 'MiioTransportError';
  }
}
