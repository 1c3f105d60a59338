import { decrypt, encrypt, packetChecksum } from './crypto.js';
import { MiioCodecError } from './errors.js';
import { HEADER_LENGTH, MAX_PACKET_LENGTH, type MiioHeader, decodeHeader, encodeHeader } from './header.js';
import type { Token } from './token.js';

export interface PacketFields {
  deviceId: number;
  stamp: number;
  /** Plaintext bytes (usually `encodePayload(...)`). */
  payload: Uint8Array;
}

export interface DecodedPacket {
  header: MiioHeader;
  /**
   * Decrypted plaintext; `null` for a bare 32-byte packet, which a device sends as its hello
   * reply or, to an encrypted request, when it rejects the token (protocols.md §1.10).
   */
  payload: Buffer | null;
}

/** Encrypt `payload` and frame it: header with length, checksum = MD5(hdr16 ‖ token ‖ ct) (§1.5-1.6). */
export function encodePacket(token: Token, fields: PacketFields): Buffer {
  const ciphertext = encrypt(token, fields.payload);
  const length = HEADER_LENGTH + ciphertext.length;
  if (length > MAX_PACKET_LENGTH) {
    throw new MiioCodecError('MIIO_ERR_TOO_LARGE', `packet of ${length} bytes exceeds the 16-bit length field`);
  }
  const header = encodeHeader({ length, deviceId: fields.deviceId, stamp: fields.stamp });
  header.set(packetChecksum(header, token, ciphertext), 16);
  return Buffer.concat([header, ciphertext], length);
}

/**
 * Decode one datagram with `token`: validate header, verify the checksum before decrypting (a
 * mismatch means a wrong token, §1.6), then strip PKCS#7. Pure: throws `MiioCodecError` only.
 */
export function decodePacket(token: Token, datagram: Uint8Array): DecodedPacket {
  const header = decodeHeader(datagram);
  if (header.length === HEADER_LENGTH) return { header, payload: null };
  const buf = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const ciphertext = buf.subarray(HEADER_LENGTH);
  const expected = packetChecksum(buf.subarray(0, 16), token, ciphertext);
  if (!expected.equals(header.checksum)) {
    throw new MiioCodecError('MIIO_ERR_CHECKSUM', 'checksum mismatch: wrong token or corrupted packet');
  }
  return { header, payload: decrypt(token, ciphertext) };
}
