import { MiioCodecError } from './errors.js';
import { HEADER_LENGTH, decodeHeader } from './header.js';
import { Token } from './token.js';

/** `21 31 00 20` then 28 × `ff` (protocols.md §1.3). The same bytes serve as discovery and handshake. */
export const HELLO_REQUEST: Buffer = Buffer.from('21310020' + 'ff'.repeat(28), 'hex');

/** A fresh copy of the hello request, safe to hand to a socket that may keep the buffer. */
export function encodeHello(): Buffer {
  return Buffer.from(HELLO_REQUEST);
}

/** True when the datagram is byte-for-byte the hello request (what a device receives). */
export function isHelloRequest(datagram: Uint8Array): boolean {
  return datagram.length === HEADER_LENGTH && HELLO_REQUEST.equals(Buffer.from(datagram));
}

/**
 * Verdict on the 16-byte field of a hello reply. `hidden` only for exactly all-`ff` or all-`00`
 * (openHAB's IGNORED_TOKENS); anything else may be the token. Deliberately not node-miio's
 * `/^[fF0]+$/`, which also hides mixed values such as `f0f0…` (toolchain.md).
 */
export type TokenFieldVerdict = 'hidden' | 'exposed';

export interface HelloReply {
  deviceId: number;
  deviceId64: bigint;
  stamp: number;
  /** Bytes 4-7; 0 on every observed device. */
  unknown: number;
  tokenField: TokenFieldVerdict;
  /** Which mask a hidden field used (`ff` is current firmware, `00` seen on a Philips lamp, §1.4). */
  hiddenAs: 'ff' | '00' | null;
  /** The exposed token, wrapped so it cannot be printed by accident; null when hidden. */
  token: Token | null;
  /** Exposed field made of 16 printable ASCII characters, as Roborock tokens are (§2.1). */
  printableToken: boolean;
}

export function classifyTokenField(field: Uint8Array): { verdict: TokenFieldVerdict; hiddenAs: 'ff' | '00' | null } {
  if (field.length !== 16) throw new MiioCodecError('MIIO_ERR_BAD_LENGTH', 'token field must be 16 bytes');
  if (field.every((b) => b === 0xff)) return { verdict: 'hidden', hiddenAs: 'ff' };
  if (field.every((b) => b === 0x00)) return { verdict: 'hidden', hiddenAs: '00' };
  return { verdict: 'exposed', hiddenAs: null };
}

/** Bytes 4-15 all `ff`: the shape of every hello request (classic and MDID), never of a device reply. */
function isRequestShaped(unknown: number, deviceId: number, stamp: number): boolean {
  return unknown === 0xffffffff && deviceId === 0xffffffff && stamp === 0xffffffff;
}

/** Decode a 32-byte hello reply. Longer packets are not hellos (they carry an encrypted payload). */
export function decodeHelloReply(datagram: Uint8Array): HelloReply {
  const header = decodeHeader(datagram);
  if (header.length !== HEADER_LENGTH) {
    throw new MiioCodecError('MIIO_ERR_NOT_HELLO', `packet of ${header.length} bytes carries a payload, not a hello reply`);
  }
  if (isHelloRequest(datagram) || isRequestShaped(header.unknown, header.deviceId, header.stamp)) {
    // Our own broadcast looped back, or another client's hello: not a device. Bytes 4-15 all ff also
    // cover ha_xiaomi_home's "MDID" probe (§1.3), whose bytes 16-31 would otherwise read as an exposed token.
    throw new MiioCodecError('MIIO_ERR_NOT_HELLO', 'datagram is a hello request, not a reply');
  }
  const { verdict, hiddenAs } = classifyTokenField(header.checksum);
  const token = verdict === 'exposed' ? Token.fromBytes(header.checksum) : null;
  return {
    deviceId: header.deviceId,
    deviceId64: header.deviceId64,
    stamp: header.stamp,
    unknown: header.unknown,
    tokenField: verdict,
    hiddenAs,
    token,
    printableToken: verdict === 'exposed' && header.checksum.every((b) => b >= 0x21 && b <= 0x7e),
  };
}

/** Build a hello reply, as a device sends it (used by the simulator and tests). */
export function encodeHelloReply(fields: { deviceId: number; stamp: number; tokenField: Uint8Array | 'ff' | '00' }): Buffer {
  const buf = Buffer.alloc(HEADER_LENGTH);
  buf.writeUInt16BE(0x2131, 0);
  buf.writeUInt16BE(HEADER_LENGTH, 2);
  buf.writeUInt32BE(0, 4);
  buf.writeUInt32BE(fields.deviceId >>> 0, 8);
  buf.writeUInt32BE(fields.stamp >>> 0, 12);
  const f = fields.tokenField;
  if (f === 'ff') buf.fill(0xff, 16);
  else if (f === '00') buf.fill(0x00, 16);
  else {
    if (f.length !== 16) throw new MiioCodecError('MIIO_ERR_BAD_TOKEN', 'token field must be 16 bytes');
    buf.set(f, 16);
  }
  return buf;
}
