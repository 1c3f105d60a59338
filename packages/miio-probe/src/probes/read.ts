/**
 * Bounded reads over a TcpConnection, and banner sanitising. Every wait has a deadline and every
 * buffer a byte cap: hostile peers (trickling, never-ending or binary banners) are normal input.
 */
import type { TcpConnection } from './types.js';

export type ReadStop = 'matched' | 'limit' | 'eof' | 'timeout' | 'aborted';

export interface ReadUntilOptions {
  /** Total bytes accepted; reading stops once this many are held. */
  maxBytes: number;
  /** Total time for the whole read, not per chunk (a trickling peer cannot extend it). */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Stop early when this returns true for the bytes read so far. */
  until?: ((data: Buffer) => boolean) | undefined;
  /** Called with each new chunk before `until` (e.g. to answer telnet negotiation). */
  onChunk?: ((chunk: Buffer) => void) | undefined;
  now?: (() => number) | undefined;
}

export interface ReadUntilResult {
  data: Buffer;
  stop: ReadStop;
}

export async function readUntil(conn: TcpConnection, options: ReadUntilOptions): Promise<ReadUntilResult> {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + Math.max(0, options.timeoutMs);
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) return { data: Buffer.concat(chunks), stop: 'aborted' };
    const remaining = Math.max(0, Math.ceil(deadline - now()));
    const room = options.maxBytes - total;
    if (room <= 0) return { data: Buffer.concat(chunks), stop: 'limit' };
    const chunk = await conn.read({ maxBytes: room, timeoutMs: remaining, signal: options.signal });
    if (chunk.data.length > 0) {
      chunks.push(chunk.data);
      total += chunk.data.length;
      options.onChunk?.(chunk.data);
      if (options.until?.(Buffer.concat(chunks))) return { data: Buffer.concat(chunks), stop: 'matched' };
      if (total >= options.maxBytes) return { data: Buffer.concat(chunks), stop: 'limit' };
    }
    if (chunk.aborted) return { data: Buffer.concat(chunks), stop: 'aborted' };
    if (chunk.eof) return { data: Buffer.concat(chunks), stop: 'eof' };
    if (chunk.timedOut || remaining <= 0) return { data: Buffer.concat(chunks), stop: 'timeout' };
  }
}

/**
 * Bytes from a device → a printable one-line-per-line string safe for terminals, HTML escaping
 * and JSON: printable ASCII kept, `\r\n`/`\n` kept as `\n`, tab kept, everything else as `\xNN`.
 * Output is capped at `maxChars` (with a trailing `…` when cut).
 */
export function sanitiseBanner(bytes: Uint8Array, maxChars = 512): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    let piece: string;
    if (b === 0x0d && bytes[i + 1] === 0x0a) continue; // CRLF → LF
    if (b === 0x0a || b === 0x09) piece = String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) piece = String.fromCharCode(b);
    else piece = '\\x' + b.toString(16).padStart(2, '0');
    if (out.length + piece.length > maxChars) return out + '…';
    out += piece;
  }
  return out;
}

/**
 * Device text (titles, Server headers, hostnames) → a single printable line: UTF-8 decoded
 * (invalid sequences become U+FFFD), control and bidi-override characters removed, whitespace
 * collapsed, capped at `maxChars`.
 */
export function cleanText(input: Uint8Array | string, maxChars = 200): string {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const cleaned = text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > maxChars ? cleaned.slice(0, maxChars) + '…' : cleaned;
}
