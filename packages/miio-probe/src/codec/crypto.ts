import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { MiioCodecError } from './errors.js';
import type { Token } from './token.js';

/** AES-128-CBC with PKCS#7 from the token's fixed key/IV; there is no per-packet IV (protocols.md §1.5). */
export function encrypt(token: Token, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv('aes-128-cbc', token.key, token.iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** Decrypt and strip PKCS#7, checking the padding ourselves so a bad one gets a stable code. */
export function decrypt(token: Token, ciphertext: Uint8Array): Buffer {
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new MiioCodecError('MIIO_ERR_BAD_CIPHERTEXT', `ciphertext of ${ciphertext.length} bytes is not a whole number of AES blocks`);
  }
  const decipher = createDecipheriv('aes-128-cbc', token.key, token.iv);
  decipher.setAutoPadding(false);
  const head = decipher.update(ciphertext);
  const tail = decipher.final();
  // Without auto-padding a whole-block input comes back entirely from update(); skip the copy (issue 7).
  const padded = tail.length === 0 ? head : Buffer.concat([head, tail]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16) throw new MiioCodecError('MIIO_ERR_BAD_PADDING', `bad PKCS#7 padding byte ${pad}`);
  for (let i = padded.length - pad; i < padded.length; i++) {
    if (padded[i] !== pad) throw new MiioCodecError('MIIO_ERR_BAD_PADDING', 'inconsistent PKCS#7 padding');
  }
  return padded.subarray(0, padded.length - pad);
}

/** checksum = MD5(header[0..16] ‖ token ‖ ciphertext), length field already filled in (§1.6). */
export function packetChecksum(header16: Uint8Array, token: Token, ciphertext: Uint8Array): Buffer {
  return createHash('md5').update(header16.subarray(0, 16)).update(token.raw).update(ciphertext).digest();
}
