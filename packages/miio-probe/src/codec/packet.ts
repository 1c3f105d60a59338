import { createCipheriv, hash } from 'node:crypto';
import { decrypt } from './crypto.js';
import { MiioCodecError } from './errors.js';
import { asBuffer } from './buffer-view.js';
import { HEADER_LENGTH, MAX_PACKET_LENGTH, MIIO_MAGIC, type MiioHeader, decodeHeader } from './header.js';
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
  // encrypt() of crypto.ts, with its two cipher outputs copied straight into the packet instead of
  // concatenated first (AES-128-CBC, PKCS#7, the token's fixed key/IV, §1.5).
  const cipher = createCipheriv('aes-128-cbc', token.key, token.iv);
  const head = cipher.update(fields.payload);
  const tail = cipher.final();
  const length = HEADER_LENGTH + head.length + tail.length;
  if (length > MAX_PACKET_LENGTH) {
    throw new MiioCodecError('MIIO_ERR_TOO_LARGE', `packet of ${length} bytes exceeds the 16-bit length field`);
  }
  // One buffer for the whole packet. The checksum field holds the token while MD5 runs, so a single one-shot
  // digest covers hdr16 ‖ token ‖ ciphertext (§1.6); then the digest takes the token's place. Same bytes as
  // encodeHeader + packetChecksum + concat, one allocation and one hash call instead of several (issue 7:
  // docs/benchmarks.md has the before/after).
  const packet = Buffer.allocUnsafe(length);
  packet.writeUInt16BE(MIIO_MAGIC, 0);
  packet.writeUInt16BE(length, 2);
  packet.writeUInt32BE(0, 4);
  packet.writeUInt32BE(fields.deviceId >>> 0, 8);
  packet.writeUInt32BE(fields.stamp >>> 0, 12);
  packet.set(token.raw, 16);
  packet.set(head, HEADER_LENGTH);
  packet.set(tail, HEADER_LENGTH + head.length);
  packet.set(hash('md5', packet, 'buffer'), 16);
  return packet;
}

/**
 * Decode one datagram with `token`: validate header, verify the checksum before decrypting (a
 * mismatch means a wrong token, §1.6), then strip PKCS#7. Pure: throws `MiioCodecError` only.
 */
export function decodePacket(token: Token, datagram: Uint8Array): DecodedPacket {
  const header = decodeHeader(datagram);
  if (header.length === HEADER_LENGTH) return { header, payload: null };
  const buf = asBuffer(datagram);
  const ciphertext = buf.subarray(HEADER_LENGTH);
  // MD5(hdr16 ‖ token ‖ ct) as one one-shot digest over a copy with the token in the checksum field: cheaper
  // than three Hash updates (packetChecksum), same value (§1.6, issue 7).
  const scratch = Buffer.allocUnsafe(buf.length);
  buf.copy(scratch);
  scratch.set(token.raw, 16);
  const expected = hash('md5', scratch, 'buffer');
  if (!expected.equals(header.checksum)) {
    throw new MiioCodecError('MIIO_ERR_CHECKSUM', 'checksum mismatch: wrong token or corrupted packet');
  }
  return { header, payload: decrypt(token, ciphertext) };
}
