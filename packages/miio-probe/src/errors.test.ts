/** One table over every error class of miio-probe: name, stable code, base class (style.md §7.4). */
import { describe, expect, it } from 'vitest';
import { MiioCodecError, MiioError } from './codec/errors.js';
import {
  MiioAbortedError,
  MiioBadReplyError,
  MiioClosedError,
  MiioDeviceError,
  MiioNoTokenError,
  MiioTimeoutError,
  MiioTokenRejectedError,
  MiioTransportError,
} from './errors.js';

const cause = new Error('root');
const table: Array<[Error, string, string]> = [
  [new MiioCodecError('MIIO_ERR_SHORT', 'x'), 'MiioCodecError', 'MIIO_ERR_SHORT'],
  [new MiioTimeoutError({ phase: 'call', attempts: 2, elapsedMs: 601, helloAnswered: true, method: 'miIO.info' }), 'MiioTimeoutError', 'MIIO_ERR_TIMEOUT'],
  [new MiioTokenRejectedError('checksum', { cause }), 'MiioTokenRejectedError', 'MIIO_ERR_TOKEN_REJECTED'],
  [new MiioDeviceError('get_prop', -9999, 'user ack timeout'), 'MiioDeviceError', 'MIIO_ERR_DEVICE'],
  [new MiioBadReplyError('MIIO_ERR_BAD_REPLY', 'x', { cause }), 'MiioBadReplyError', 'MIIO_ERR_BAD_REPLY'],
  [new MiioBadReplyError('MIIO_ERR_EMPTY_REPLY', 'x'), 'MiioBadReplyError', 'MIIO_ERR_EMPTY_REPLY'],
  [new MiioNoTokenError(), 'MiioNoTokenError', 'MIIO_ERR_NO_TOKEN'],
  [new MiioAbortedError({ cause }), 'MiioAbortedError', 'MIIO_ERR_ABORTED'],
  [new MiioClosedError(), 'MiioClosedError', 'MIIO_ERR_CLOSED'],
  [new MiioTransportError('x', { cause }), 'MiioTransportError', 'MIIO_ERR_TRANSPORT'],
];

describe('error classes', () => {
  it.each(table)('%s', (err, name, code) => {
    expect(err).toBeInstanceOf(MiioError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect((err as MiioError).code).toBe(code);
    expect((err as MiioError).code).toMatch(/^MIIO_ERR_[A-Z_]+$/);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('codes are unique per class (BadReply has two)', () => {
    const codes = table.map(([, , c]) => c);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('device errors keep the device code and mark -30001 / -9999 recoverable', () => {
    expect(new MiioDeviceError('m', -30001, '').recoverable).toBe(true);
    expect(new MiioDeviceError('m', -9999, '').recoverable).toBe(true);
    expect(new MiioDeviceError('m', -5001, 'invalid_arg')).toMatchObject({ deviceCode: -5001, deviceMessage: 'invalid_arg', recoverable: false });
    expect(new MiioDeviceError('m', 1, 'x'.repeat(5000)).deviceMessage).toHaveLength(200);
  });

  it('causes are kept', () => {
    expect(new MiioTransportError('x', { cause }).cause).toBe(cause);
  });
});
