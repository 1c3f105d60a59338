/**
 * Aqara / Lumi gateway LAN protocol (protocols.md §5.3, advisories.md §3.3), read-only and unicast:
 * `whois` to UDP 4321 → `iam`, then `read` of the gateway's own sid on UDP 9898 → `read_ack`
 * (v1) / `read_rsp` (v2). Never `write` (needs the LAN key and changes state). A gateway that
 * answers exposes sensor state to every LAN host: that is the finding.
 */
import { type UdpTransport, createUdpTransport } from '../transport/udp.js';
import { type ProbeResult, fail, ok } from './errors.js';
import { cleanText } from './read.js';

export const LUMI_DISCOVERY_PORT = 4321;
export const LUMI_PORT = 9898;
const MAX_DATAGRAM = 8 * 1024;

export interface LumiIam {
  sid: string;
  model?: string;
  protoVersion?: string;
  /** Port announced in `iam` (a string on the wire). */
  port?: number;
  /** The `ip` the gateway claims; the UDP source address is the one to trust (§5.3). */
  claimedIp?: string;
}

export interface LumiRead {
  cmd: 'read_ack' | 'read_rsp';
  sid: string;
  model?: string;
  /** `data` (a JSON string on the wire) flattened to scalars; capped at 32 keys. */
  data: Record<string, string | number | boolean>;
}

export interface LumiGatewayInfo {
  iam?: LumiIam;
  read?: LumiRead;
}

export interface LumiProbeOptions {
  ip: string;
  /** Gateway sid (its MAC without colons) if already known; else taken from `iam`. */
  sid?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** UDP adapter; default a fresh node:dgram socket (closed at the end either way). */
  transport?: UdpTransport;
  bindAddress?: string;
  discoveryPort?: number;
  port?: number;
}

const SID = /^[0-9a-f]{6,32}$/i;
const SECRET_KEYS = new Set(['token', 'key']);

function parseMessage(buf: Buffer): Record<string, unknown> | null {
  if (buf.length === 0 || buf.length > MAX_DATAGRAM) return null;
  try {
    const v = JSON.parse(buf.toString('utf8')) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Pure: an `iam` datagram → fields; null when it is not a usable `iam`. */
export function parseIam(buf: Buffer): LumiIam | null {
  const msg = parseMessage(buf);
  if (!msg || msg['cmd'] !== 'iam' || typeof msg['sid'] !== 'string' || !SID.test(msg['sid'])) return null;
  const iam: LumiIam = { sid: msg['sid'].toLowerCase() };
  if (typeof msg['model'] === 'string') iam.model = cleanText(msg['model'], 64);
  if (typeof msg['proto_version'] === 'string') iam.protoVersion = cleanText(msg['proto_version'], 32);
  const port = Number(msg['port']);
  if (Number.isInteger(port) && port > 0 && port < 65536) iam.port = port;
  if (typeof msg['ip'] === 'string') iam.claimedIp = cleanText(msg['ip'], 45);
  return iam;
}

/** Pure: a `read_ack` / `read_rsp` datagram → fields; null otherwise. */
export function parseReadReply(buf: Buffer): LumiRead | null {
  const msg = parseMessage(buf);
  if (!msg || (msg['cmd'] !== 'read_ack' && msg['cmd'] !== 'read_rsp') || typeof msg['sid'] !== 'string') return null;
  const read: LumiRead = { cmd: msg['cmd'], sid: cleanText(msg['sid'], 40).toLowerCase(), data: {} };
  if (typeof msg['model'] === 'string') read.model = cleanText(msg['model'], 64);
  // v1 sends `data` as a JSON string; v2 sends `params` as a list of one-key objects.
  let data: unknown = msg['data'];
  if (typeof data === 'string' && data.length <= 4096) {
    try {
      data = JSON.parse(data);
    } catch {
      data = undefined;
    }
  }
  const entries: [string, unknown][] = [];
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) entries.push(...Object.entries(data));
  if (Array.isArray(msg['params'])) {
    for (const p of msg['params'].slice(0, 32)) if (p !== null && typeof p === 'object' && !Array.isArray(p)) entries.push(...Object.entries(p));
  }
  for (const [k, v] of entries) {
    if (Object.keys(read.data).length >= 32) break;
    const key = cleanText(k, 40);
    if (key === '' || SECRET_KEYS.has(key.toLowerCase())) continue;
    if (typeof v === 'string') read.data[key] = cleanText(v, 100);
    else if (typeof v === 'number' && Number.isFinite(v)) read.data[key] = v;
    else if (typeof v === 'boolean') read.data[key] = v;
  }
  return read;
}

export async function probeLumiGateway(options: LumiProbeOptions): Promise<ProbeResult<LumiGatewayInfo>> {
  const timeoutMs = Math.max(1, options.timeoutMs ?? 1500);
  const transport = options.transport ?? createUdpTransport();
  const result: LumiGatewayInfo = {};
  let unsubscribe: (() => void) | null = null;
  let onAbort: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    if (options.signal?.aborted) return fail('MIIO_ERR_ABORTED', `Lumi probe of ${options.ip} aborted`);
    try {
      await transport.bind(0, options.bindAddress);
    } catch {
      return fail('MIIO_ERR_UDP', `cannot open a UDP socket for the Lumi probe of ${options.ip}`);
    }
    let sid = options.sid?.toLowerCase();
    let readSent = false;
    const done = new Promise<'done' | 'timeout' | 'aborted'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
      onAbort = () => resolve('aborted');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const sendRead = (port: number): void => {
        if (readSent || !sid) return;
        readSent = true;
        transport.send(Buffer.from(JSON.stringify({ cmd: 'read', sid })), port, options.ip).catch(() => resolve('done'));
      };
      unsubscribe = transport.onMessage((msg, rinfo) => {
        if (rinfo.address !== options.ip) return; // only the host we asked
        const iam = parseIam(msg);
        if (iam && !result.iam) {
          result.iam = iam;
          sid ??= iam.sid;
          sendRead(iam.port ?? options.port ?? LUMI_PORT);
          return;
        }
        const read = parseReadReply(msg);
        if (read && sid && read.sid === sid) {
          result.read = read;
          resolve('done');
        }
      });
      transport
        .send(Buffer.from(JSON.stringify({ cmd: 'whois' })), options.discoveryPort ?? LUMI_DISCOVERY_PORT, options.ip)
        .catch(() => undefined);
      // With a known sid, read at once; the iam may never come (whois is for discovery).
      sendRead(options.port ?? LUMI_PORT);
    });
    const how = await done;
    if (how === 'aborted') return fail('MIIO_ERR_ABORTED', `Lumi probe of ${options.ip} aborted`);
    if (!result.iam && !result.read) return fail('MIIO_ERR_PROBE_TIMEOUT', `no Lumi gateway answer from ${options.ip} within ${timeoutMs} ms`);
    return ok(result);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    (unsubscribe as (() => void) | null)?.();
    await transport.close().catch(() => undefined);
  }
}
