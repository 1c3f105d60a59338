/**
 * Response heads of HTTP/1.x and RTSP/1.0 (same grammar, RFC 9112 / RFC 2326), parsed with bounds.
 * Pure. Device headers are untrusted: names are lower-cased, values cleaned and capped, count capped.
 */
import { cleanText } from './read.js';

export interface ResponseHead {
  protocol: 'HTTP' | 'RTSP';
  version: string;
  status: number;
  reason: string;
  /** Lower-case name → first value (cleaned, ≤ 300 chars). At most 64 headers kept. */
  headers: Record<string, string>;
  /** Offset of the body in the buffer that was parsed. */
  bodyOffset: number;
}

const MAX_HEADERS = 64;

/** Index just past the blank line that ends the head (`\r\n\r\n` or bare `\n\n`), or -1. */
export function headEnd(data: Buffer): number {
  const crlf = data.indexOf('\r\n\r\n');
  const lf = data.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 4;
  return lf >= 0 ? lf + 2 : -1;
}

/**
 * Parse the status line and headers. With `partial`, a head that lacks its blank line (peer cut
 * off or byte limit reached) is parsed as far as it goes. Returns null when the first line is not
 * a `HTTP/x.y` or `RTSP/x.y` status line.
 */
export function parseResponseHead(data: Buffer, options: { partial?: boolean } = {}): ResponseHead | null {
  let end = headEnd(data);
  if (end < 0) {
    if (!options.partial) return null;
    end = data.length;
  }
  const text = data.subarray(0, end).toString('latin1');
  const lines = text.split(/\r?\n/);
  const m = /^(HTTP|RTSP)\/(\d\.\d|\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers: Record<string, string> = {};
  let count = 0;
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0 || colon > 64) continue; // junk line: skip, keep going
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) continue;
    if (name in headers) continue;
    if (++count > MAX_HEADERS) break;
    headers[name] = cleanText(Buffer.from(line.slice(colon + 1), 'latin1'), 300);
  }
  return {
    protocol: m[1] as 'HTTP' | 'RTSP',
    version: m[2]!,
    status: Number(m[3]),
    reason: cleanText(m[4] ?? '', 100),
    headers,
    bodyOffset: end,
  };
}

/** `<title>` text from the first bytes of an HTML body, cleaned; undefined when absent. */
export function extractTitle(body: Buffer): string | undefined {
  const text = body.subarray(0, 64 * 1024).toString('utf8');
  const m = /<title[^>]{0,200}>([\s\S]{0,2048}?)<\/title\s*>/i.exec(text);
  if (!m) return undefined;
  const title = cleanText(decodeEntities(m[1]!), 200);
  return title === '' ? undefined : title;
}

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|amp|lt|gt|quot|apos|nbsp);/gi, (whole, ent: string) => {
    const e = ent.toLowerCase();
    if (e === 'amp') return '&';
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    if (e === 'nbsp') return ' ';
    const code = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * Decode a `Transfer-Encoding: chunked` body as far as the bytes go (HTTP/1.0 requests should not
 * get one, but embedded servers send it anyway). Stops at the last complete chunk, at malformed
 * input or at `maxBytes`.
 */
export function dechunk(body: Buffer, maxBytes: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  let at = 0;
  while (at < body.length && total < maxBytes) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0 || lineEnd - at > 16) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size <= 0) break;
    const start = lineEnd + 2;
    const take = Math.min(size, body.length - start, maxBytes - total);
    parts.push(body.subarray(start, start + take));
    total += take;
    at = start + size + 2;
  }
  return Buffer.concat(parts);
}
