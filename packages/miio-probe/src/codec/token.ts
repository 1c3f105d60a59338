import { createHash } from 'node:crypto';
import { MiioCodecError } from './errors.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const HEX32 = /^[0-9a-fA-F]{32}$/;

/**
 * A 16-byte miIO device token. Its string, JSON and `util.inspect` forms show only a fingerprint
 * (`tok:` + 12 hex of SHA-256 over the raw bytes), so a token that reaches a log or a report by
 * mistake does not leak. Use `revealHex()` only where the user asked for secrets.
 *
 * @example
 *   const t = Token.fromHex('00000000000000000000000000000000');
 *   String(t) // 'Token(tok:374708fff771)'
 */
export class Token {
  readonly #bytes: Buffer;
  #key: Buffer | undefined;
  #iv: Buffer | undefined;
  /** `tok:` + first 12 hex chars of SHA-256(token bytes). Stable across runs: history diffs use it. */
  readonly fingerprint: string;

  private constructor(bytes: Buffer) {
    this.#bytes = Buffer.from(bytes);
    this.fingerprint = 'tok:' + createHash('sha256').update(this.#bytes).digest('hex').slice(0, 12);
  }

  static fromHex(hex: string): Token {
    if (typeof hex !== 'string' || !HEX32.test(hex.trim())) {
      throw new MiioCodecError('MIIO_ERR_BAD_TOKEN', 'token must be 32 hexadecimal characters');
    }
    return new Token(Buffer.from(hex.trim(), 'hex'));
  }

  static fromBytes(bytes: Uint8Array): Token {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 16) {
      throw new MiioCodecError('MIIO_ERR_BAD_TOKEN', 'token must be 16 bytes');
    }
    return new Token(Buffer.from(bytes));
  }

  /** True for a syntactically valid 32-hex token string. */
  static isHex(hex: string): boolean {
    return typeof hex === 'string' && HEX32.test(hex.trim());
  }

  /** A copy of the raw bytes (callers may mutate it). */
  bytes(): Buffer {
    return Buffer.from(this.#bytes);
  }

  /** The secret itself, lower-case hex. Only for `--show-secrets` and for talking to the device. */
  revealHex(): string {
    return this.#bytes.toString('hex');
  }

  /** key = MD5(token) (protocols.md §1.5). Cached: every packet of a session uses it. */
  get key(): Buffer {
    this.#key ??= createHash('md5').update(this.#bytes).digest();
    return this.#key;
  }

  /** iv = MD5(key ‖ token), not MD5(MD5(key) ‖ token) as OpenMiHome's PROTOCOL.md wrongly says (§1.5). */
  get iv(): Buffer {
    this.#iv ??= createHash('md5').update(this.key).update(this.#bytes).digest();
    return this.#iv;
  }

  /** Raw bytes for hashing; internal to the codec, not a copy. */
  get raw(): Buffer {
    return this.#bytes;
  }

  equals(other: Token): boolean {
    return other instanceof Token && this.#bytes.equals(other.#bytes);
  }

  toString(): string {
    return `Token(${this.fingerprint})`;
  }

  toJSON(): string {
    return this.fingerprint;
  }

  [INSPECT](): string {
    return this.toString();
  }
}
