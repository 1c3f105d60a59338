import { asBuffer } from './buffer-view.js';
import { MiioCodecError } from './errors.js';

/** "!1": every miIO packet starts with it (protocols.md §1.2). */
export const MIIO_MAGIC = 0x2131;
export const HEADER_LENGTH = 32;
/** The length field is 16 bits, so no packet can be larger. */
export const MAX_PACKET_LENGTH = 0xffff;

export interface MiioHeader {
  /** Whole packet length including the header (bytes 2-3). */
  length: number;
  /** Bytes 4-7: 0 in every packet but the hello request (0xffffffff). */
  unknown: number;
  /** Bytes 8-11, unsigned. */
  deviceId: number;
  /** Bytes 4-11 read as one 64-bit did, as Xiaomi's own integration does (§1.2). */
  deviceId64: bigint;
  /** Bytes 12-15: device clock (uptime or Unix time, §1.8). */
  stamp: number;
  /** Bytes 16-31: MD5 checksum, or the token / ff / 00 in a 32-byte hello reply. */
  checksum: Buffer;
}

export interface HeaderFields {
  length: number;
  unknown?: number;
  deviceId: number;
  stamp: number;
  checksum?: Uint8Array;
}

/** Encode a 32-byte header. Integers are taken modulo 2^32 the way the wire carries them. */
export function encodeHeader(fields: HeaderFields): Buffer {
  if (!Number.isInteger(fields.length) || fields.length < HEADER_LENGTH || fields.length > MAX_PACKET_LENGTH) {
    throw new MiioCodecError('MIIO_ERR_TOO_LARGE', `packet length ${fields.length} outside ${HEADER_LENGTH}..${MAX_PACKET_LENGTH}`);
  }
  const buf = Buffer.alloc(HEADER_LENGTH);
  buf.writeUInt16BE(MIIO_MAGIC, 0);
  buf.writeUInt16BE(fields.length, 2);
  buf.writeUInt32BE((fields.unknown ?? 0) >>> 0, 4);
  buf.writeUInt32BE(fields.deviceId >>> 0, 8);
  buf.writeUInt32BE(fields.stamp >>> 0, 12);
  if (fields.checksum !== undefined) {
    if (fields.checksum.length !== 16) throw new MiioCodecError('MIIO_ERR_BAD_LENGTH', 'checksum field must be 16 bytes');
    buf.set(fields.checksum, 16);
  }
  return buf;
}

/**
 * Decode and validate the header of one whole datagram. The length field must equal the datagram
 * length: a UDP datagram carries exactly one packet, so any difference is truncation or junk.
 */
export function decodeHeader(datagram: Uint8Array): MiioHeader {
  if (datagram.length < HEADER_LENGTH) {
    throw new MiioCodecError('MIIO_ERR_SHORT', `datagram of ${datagram.length} bytes is shorter than the 32-byte header`);
  }
  const buf = asBuffer(datagram);
  const magic = buf.readUInt16BE(0);
  if (magic !== MIIO_MAGIC) {
    throw new MiioCodecError('MIIO_ERR_BAD_MAGIC', `bad magic 0x${magic.toString(16).padStart(4, '0')}`);
  }
  const length = buf.readUInt16BE(2);
  if (length !== buf.length) {
    throw new MiioCodecError('MIIO_ERR_BAD_LENGTH', `length field ${length} but datagram has ${buf.length} bytes`);
  }
  const unknown = buf.readUInt32BE(4);
  const deviceId = buf.readUInt32BE(8);
  return {
    length,
    unknown,
    deviceId,
    deviceId64: buf.readBigUInt64BE(4),
    stamp: buf.readUInt32BE(12),
    checksum: Buffer.from(buf.subarray(16, 32)),
  };
}
