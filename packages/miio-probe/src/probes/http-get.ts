/**
 * A minimal HTTP/1.0 GET over the TcpConnector, for the unauthenticated JSON endpoints the
 * ecosystem probes read (router init_info, Valetudo version). One request per connection, body
 * capped at `maxBodyBytes`, one deadline for the whole exchange. Never throws.
 */
import { type ProbeResult, ProbeError, fail, ok, toProbeError } from './errors.js';
import { dechunk, headEnd, parseResponseHead } from './http-message.js';
import { readUntil } from './read.js';
import type { TcpConnector } from './types.js';

export interface HttpGetOptions {
  connector: TcpConnector;
  host: string;
  port?: number;
  path: string;
  connectTimeoutMs?: number;
  /** Deadline for the request after connect (headers and body). */
  timeoutMs?: number;
  maxBodyBytes?: number;
  signal?: AbortSignal | undefined;
  now?: () => number;
}

export interface HttpGetResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body was cut at `maxBodyBytes` or by the deadline. */
  truncated: boolean;
}

const MAX_HEAD_BYTES = 16 * 1024;

export async function httpGet(options: HttpGetOptions): Promise<ProbeResult<HttpGetResponse>> {
  const port = options.port ?? 80;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const where = `${options.host}:${port}`;
  if (!/^\/[\x21-\x7e]*$/.test(options.path)) return fail('MIIO_ERR_BAD_OPTIONS', 'HTTP path must start with / and be printable ASCII');
  let conn;
  try {
    conn = await options.connector.connect({
      host: options.host,
      port,
      timeoutMs: options.connectTimeoutMs ?? 1500,
      signal: options.signal,
    });
  } catch (err) {
    return { ok: false, error: toProbeError(err) };
  }
  try {
    const host = options.host.includes(':') ? `[${options.host}]` : options.host;
    conn.write(
      `GET ${options.path} HTTP/1.0\r\nHost: ${port === 80 ? host : `${host}:${port}`}\r\nUser-Agent: xmscan\r\nAccept: application/json,*/*\r\nConnection: close\r\n\r\n`,
    );
    const got = await readUntil(conn, {
      maxBytes: MAX_HEAD_BYTES + maxBody,
      timeoutMs: options.timeoutMs ?? 3000,
      signal: options.signal,
      now: options.now,
      until: (d) => {
        const end = headEnd(d);
        if (end < 0) return d.length > MAX_HEAD_BYTES;
        const head = parseResponseHead(d);
        const len = Number(head?.headers['content-length']);
        if (Number.isFinite(len)) return d.length - end >= len;
        return d.length - end >= maxBody;
      },
    });
    if (got.stop === 'aborted') return fail('MIIO_ERR_ABORTED', `GET ${where} aborted`);
    if (got.data.length === 0) {
      return fail(got.stop === 'timeout' ? 'MIIO_ERR_PROBE_TIMEOUT' : 'MIIO_ERR_PROBE_BAD_REPLY', `no HTTP answer from ${where}`);
    }
    const end = headEnd(got.data);
    const head = parseResponseHead(got.data);
    if (end < 0 || end > MAX_HEAD_BYTES || !head || head.protocol !== 'HTTP') {
      return fail('MIIO_ERR_PROBE_BAD_REPLY', `${where} did not answer with an HTTP response head`);
    }
    let body = got.data.subarray(end);
    const declared = Number(head.headers['content-length']);
    let truncated = false;
    if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) {
      body = dechunk(body, maxBody);
    } else if (Number.isFinite(declared) && declared >= 0) {
      truncated = body.length < declared;
      body = body.subarray(0, Math.min(declared, maxBody));
    }
    if (body.length > maxBody) {
      body = body.subarray(0, maxBody);
      truncated = true;
    }
    if (got.stop === 'limit') truncated = true;
    return ok({ status: head.status, headers: head.headers, body: Buffer.from(body), truncated });
  } catch (err) {
    return { ok: false, error: err instanceof ProbeError ? err : toProbeError(err, 'MIIO_ERR_PROBE_BAD_REPLY') };
  } finally {
    conn.close();
  }
}

/**
 * Parse a JSON object body with bounds: size is already capped by httpGet; depth is limited here
 * by refusing bodies nesting deeper than `maxDepth` brackets (cheap scan before JSON.parse).
 */
export function parseJsonObject(body: Buffer, maxDepth = 16): Record<string, unknown> | null {
  const text = body.toString('utf8').replace(/^\uFEFF/, '').trim();
  if (!text.startsWith('{')) return null;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (++depth > maxDepth) return null;
    } else if (c === '}' || c === ']') depth--;
  }
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
