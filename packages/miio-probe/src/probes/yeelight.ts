/**
 * Yeelight LAN control (protocols.md §5.2, advisories.md §3.2): TCP 55443 is open only with "LAN
 * Control" on, and takes unauthenticated JSON lines. We send exactly one read-only `get_prop` and
 * read one reply line; never `set_*`. Unsolicited `props` notifications before the reply are skipped.
 */
import { createTcpConnector } from '../transport/tcp.js';
import { type ProbeResult, fail, ok, toProbeError } from './errors.js';
import { cleanText, readUntil } from './read.js';
import type { TcpConnector } from './types.js';

export const YEELIGHT_PORT = 55443;
const REQUEST_ID = 1;
export const YEELIGHT_GET_PROP: string = JSON.stringify({ id: REQUEST_ID, method: 'get_prop', params: ['power', 'name'] }) + '\r\n';

export interface YeelightInfo {
  /** The port accepted a connection and answered our line: LAN control is on. */
  lanControl: true;
  power?: string;
  name?: string;
  /** The bulb answered with an error object instead of a result (still proves LAN control). */
  deviceError?: { code: number; message: string };
}

export interface YeelightProbeOptions {
  ip: string;
  port?: number;
  connector?: TcpConnector;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * Pure: reply lines → the answer to our request, or null when no line answers id 1.
 * Each line is bounded (2 KiB) before JSON.parse.
 */
export function parseYeelightReply(text: string): YeelightInfo | null {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.length > 2048) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const msg = v as Record<string, unknown>;
    if (msg['id'] !== REQUEST_ID) continue; // e.g. {"method":"props",...} notifications
    if (Array.isArray(msg['result'])) {
      const [power, name] = msg['result'] as unknown[];
      const info: YeelightInfo = { lanControl: true };
      if (typeof power === 'string' && power !== '') info.power = cleanText(power, 16);
      if (typeof name === 'string' && name !== '') info.name = cleanText(name, 64);
      return info;
    }
    const err = msg['error'];
    if (err !== null && typeof err === 'object') {
      const e = err as Record<string, unknown>;
      return {
        lanControl: true,
        deviceError: {
          code: typeof e['code'] === 'number' ? e['code'] : 0,
          message: typeof e['message'] === 'string' ? cleanText(e['message'], 100) : '',
        },
      };
    }
  }
  return null;
}

export async function probeYeelight(options: YeelightProbeOptions): Promise<ProbeResult<YeelightInfo>> {
  const connector = options.connector ?? createTcpConnector();
  const port = options.port ?? YEELIGHT_PORT;
  let conn;
  try {
    conn = await connector.connect({ host: options.ip, port, timeoutMs: options.connectTimeoutMs ?? 1500, signal: options.signal });
  } catch (err) {
    return { ok: false, error: toProbeError(err) };
  }
  try {
    conn.write(YEELIGHT_GET_PROP);
    const got = await readUntil(conn, {
      maxBytes: options.maxBytes ?? 4096,
      timeoutMs: options.timeoutMs ?? 2000,
      signal: options.signal,
      until: (d) => parseYeelightReply(d.toString('utf8')) !== null,
    });
    if (got.stop === 'aborted') return fail('MIIO_ERR_ABORTED', `Yeelight probe of ${options.ip} aborted`);
    const info = parseYeelightReply(got.data.toString('utf8'));
    if (info) return ok(info);
    if (got.data.length === 0) {
      return fail(got.stop === 'timeout' ? 'MIIO_ERR_PROBE_TIMEOUT' : 'MIIO_ERR_PROBE_BAD_REPLY', `${options.ip}:${port} accepted but never answered get_prop`);
    }
    return fail('MIIO_ERR_PROBE_BAD_REPLY', `${options.ip}:${port} did not answer get_prop with a Yeelight JSON line`);
  } finally {
    conn.close();
  }
}
