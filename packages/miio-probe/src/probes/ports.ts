/**
 * TCP port probe with banner grabbing (protocols.md §5.5, advisories.md §3.4-3.7). Read-only:
 * it connects, reads what the service volunteers, and sends only requests that change nothing
 * (HTTP GET /, RTSP OPTIONS/DESCRIBE, MQTT CONNECT+DISCONNECT without credentials, telnet refusals).
 * Every read is capped in bytes and time; a result is returned for every port, never a throw.
 */
import { randomBytes } from 'node:crypto';
import { createTcpConnector } from '../transport/tcp.js';
import { ProbeError, toProbeError } from './errors.js';
import { dechunk, extractTitle, headEnd, parseResponseHead } from './http-message.js';
import { MQTT_DISCONNECT, decodeConnack, encodeMqttConnect } from './mqtt.js';
import { type ReadStop, readUntil, sanitiseBanner } from './read.js';
import { type ServiceName, serviceForPort, serviceFromBanner, strategyFor } from './services.js';
import { hasSshLine, parseSshBanner } from './ssh.js';
import { TelnetDecoder, looksLikePrompt, telnetHostname } from './telnet.js';
import type { TcpConnection, TcpConnector } from './types.js';

export type PortState = 'open' | 'closed' | 'filtered' | 'error';

export type ServiceDetails =
  | { kind: 'ssh'; protocolVersion: string; software: string; comments?: string }
  | { kind: 'telnet'; promptSeen: boolean; hostname?: string; negotiations: string[] }
  | { kind: 'http'; status: number; reason: string; server?: string; title?: string; authRequired: boolean; location?: string }
  | {
      kind: 'rtsp';
      status: number;
      server?: string;
      methods?: string[];
      authRequired: boolean;
      /** DESCRIBE on the root URL without credentials: status, and whether an SDP came back. */
      describe?: { status: number; sdp: boolean };
    }
  | { kind: 'mqtt'; returnCode: number; meaning: string; anonymous: boolean; sessionPresent: boolean }
  | { kind: 'ftp'; code: number };

export interface PortResult {
  port: number;
  protocol: 'tcp';
  open: boolean;
  state: PortState;
  service: ServiceName | null;
  /** Sanitised (printable, capped) text of what the service sent; null when it sent nothing. */
  banner: string | null;
  details: ServiceDetails | null;
  /** How the banner read ended and how many bytes were taken (evidence that limits held). */
  read?: { bytes: number; stop: ReadStop };
  error?: { code: string; message: string };
  elapsedMs: number;
}

export interface PortProbeOptions {
  ip: string;
  ports: readonly number[];
  connectTimeoutMs?: number;
  bannerTimeoutMs?: number;
  maxBannerBytes?: number;
  /** Ports probed at once on this host (devices are small; keep it polite). */
  concurrency?: number;
  signal?: AbortSignal;
  connector?: TcpConnector;
  now?: () => number;
}

export const PORT_PROBE_DEFAULTS = {
  connectTimeoutMs: 1500,
  bannerTimeoutMs: 2000,
  maxBannerBytes: 4096,
  concurrency: 4,
} as const;

/** Probe each port; results come back in the order of `ports`. */
export async function probePorts(options: PortProbeOptions): Promise<PortResult[]> {
  const connector = options.connector ?? createTcpConnector();
  const concurrency = clampInt(options.concurrency, PORT_PROBE_DEFAULTS.concurrency, 1, 64);
  const ports = [...options.ports];
  const results: PortResult[] = new Array(ports.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ports.length) {
      const i = next++;
      results[i] = await probePort(connector, ports[i]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ports.length) }, worker));
  return results;
}

interface GrabContext {
  ip: string;
  port: number;
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  now: () => number;
}

interface Grab {
  service: ServiceName | null;
  raw: Buffer;
  banner?: string | null;
  details: ServiceDetails | null;
  stop: ReadStop;
}

/** Probe one port. Never throws. */
export async function probePort(connector: TcpConnector, port: number, options: Omit<PortProbeOptions, 'ports' | 'connector' | 'concurrency'>): Promise<PortResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const connectTimeoutMs = clampInt(options.connectTimeoutMs, PORT_PROBE_DEFAULTS.connectTimeoutMs, 1, 120_000);
  const base = { port, protocol: 'tcp' as const };
  const elapsed = (): number => Math.round(now() - started);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    const e = new ProbeError('MIIO_ERR_BAD_PORTS', `port ${String(port)} is outside 1-65535`);
    return { ...base, open: false, state: 'error', service: null, banner: null, details: null, error: e.toJSON(), elapsedMs: 0 };
  }
  if (options.signal?.aborted) {
    const e = new ProbeError('MIIO_ERR_ABORTED', `probe of ${options.ip}:${port} aborted`);
    return { ...base, open: false, state: 'error', service: null, banner: null, details: null, error: e.toJSON(), elapsedMs: 0 };
  }
  let conn: TcpConnection;
  try {
    conn = await connector.connect({ host: options.ip, port, timeoutMs: connectTimeoutMs, signal: options.signal });
  } catch (err) {
    const e = toProbeError(err);
    if (e.code === 'MIIO_ERR_TCP_RESET') {
      // ECONNRESET (not ECONNREFUSED) means the handshake completed and the service hung up at once,
      // like nmap's "tcpwrapped": something listens there.
      const svc = serviceForPort(port);
      return {
        ...base,
        open: true,
        state: 'open',
        service: svc === 'unknown' ? null : svc,
        banner: null,
        details: null,
        read: { bytes: 0, stop: 'eof' },
        error: e.toJSON(),
        elapsedMs: elapsed(),
      };
    }
    const state: PortState =
      e.code === 'MIIO_ERR_TCP_REFUSED' ? 'closed' : e.code === 'MIIO_ERR_TCP_TIMEOUT' || e.code === 'MIIO_ERR_TCP_UNREACHABLE' ? 'filtered' : 'error';
    return { ...base, open: false, state, service: null, banner: null, details: null, error: e.toJSON(), elapsedMs: elapsed() };
  }
  const ctx: GrabContext = {
    ip: options.ip,
    port,
    maxBytes: clampInt(options.maxBannerBytes, PORT_PROBE_DEFAULTS.maxBannerBytes, 16, 1 << 20),
    timeoutMs: clampInt(options.bannerTimeoutMs, PORT_PROBE_DEFAULTS.bannerTimeoutMs, 0, 120_000),
    signal: options.signal,
    now,
  };
  try {
    const byPort = serviceForPort(port);
    const grab = await grabService(conn, strategyFor(byPort), ctx);
    const service = grab.service ?? (byPort === 'unknown' ? null : byPort);
    const banner = grab.banner !== undefined ? grab.banner : grab.raw.length > 0 ? sanitiseBanner(grab.raw) : null;
    return {
      ...base,
      open: true,
      state: 'open',
      service,
      banner,
      details: grab.details,
      read: { bytes: grab.raw.length, stop: grab.stop },
      elapsedMs: elapsed(),
    };
  } catch (err) {
    // Defensive: grabbers are written not to throw, but an open port stays open whatever happens.
    const e = toProbeError(err, 'MIIO_ERR_PROBE_BAD_REPLY');
    return { ...base, open: true, state: 'open', service: null, banner: null, details: null, error: e.toJSON(), elapsedMs: elapsed() };
  } finally {
    conn.close();
  }
}

async function grabService(conn: TcpConnection, strategy: ReturnType<typeof strategyFor>, ctx: GrabContext): Promise<Grab> {
  switch (strategy) {
    case 'connect-only':
      return { service: null, raw: Buffer.alloc(0), details: null, stop: 'matched' };
    case 'http':
      return grabHttp(conn, ctx);
    case 'rtsp':
      return grabRtsp(conn, ctx);
    case 'mqtt':
      return grabMqtt(conn, ctx);
    case 'telnet':
      return grabTelnet(conn, ctx);
    case 'passive':
      return grabPassive(conn, ctx);
  }
}

function readOpts(ctx: GrabContext, extra: { until?: (d: Buffer) => boolean; onChunk?: (c: Buffer) => void; maxBytes?: number; timeoutMs?: number }) {
  return {
    maxBytes: extra.maxBytes ?? ctx.maxBytes,
    timeoutMs: extra.timeoutMs ?? ctx.timeoutMs,
    signal: ctx.signal,
    until: extra.until,
    onChunk: extra.onChunk,
    now: ctx.now,
  };
}

/** Whatever came back, interpreted by its first bytes (a banner-first service on an HTTP port, etc). */
function interpret(raw: Buffer, stop: ReadStop): Grab {
  const service = serviceFromBanner(raw);
  switch (service) {
    case 'ssh': {
      const ssh = parseSshBanner(raw);
      return { service, raw, details: ssh ? { kind: 'ssh', ...ssh } : null, stop };
    }
    case 'http':
      return { ...httpFromReply(raw), stop };
    case 'rtsp': {
      const head = parseResponseHead(raw, { partial: true });
      return { service, raw, details: head ? rtspDetails(head) : null, stop };
    }
    case 'ftp':
      return { service, raw, details: { kind: 'ftp', code: Number(raw.subarray(0, 3).toString('latin1')) }, stop };
    case 'telnet': {
      const decoder = new TelnetDecoder();
      const text = decoder.push(raw).data.toString('latin1');
      return {
        service,
        raw,
        banner: sanitiseBanner(Buffer.from(text, 'latin1')),
        details: telnetDetails(text, decoder),
        stop,
      };
    }
    default:
      return { service, raw, details: null, stop };
  }
}

async function grabPassive(conn: TcpConnection, ctx: GrabContext): Promise<Grab> {
  const started = ctx.now();
  const { data, stop } = await readUntil(
    conn,
    readOpts(ctx, {
      // A banner line or a prompt is enough; IAC first means telnet, handled below.
      until: (d) => d[0] === 0xff || hasSshLine(d) || completeTextLine(d) || looksLikePrompt(d.toString('latin1')),
    }),
  );
  if (data.length > 0 && data[0] === 0xff && stop === 'matched') {
    // Telnet on a non-telnet port: it may wait for our answers before prompting, so switch to the
    // telnet reader (refusals sent) for the rest of the same time and byte budget.
    const rest = { ...ctx, timeoutMs: Math.max(0, ctx.timeoutMs - (ctx.now() - started)), maxBytes: ctx.maxBytes };
    return grabTelnet(conn, rest, data);
  }
  return interpret(data, stop);
}

/** Text (not telnet negotiation) ending in a newline with something printable before it. */
function completeTextLine(d: Buffer): boolean {
  return d[0] !== 0xff && d[d.length - 1] === 0x0a && /[\x21-\x7e]/.test(d.toString('latin1'));
}

async function grabTelnet(conn: TcpConnection, ctx: GrabContext, already?: Buffer): Promise<Grab> {
  const decoder = new TelnetDecoder();
  let text = '';
  const consume = (chunk: Buffer): void => {
    const { data, reply } = decoder.push(chunk);
    if (reply.length > 0) conn.write(reply);
    text += data.toString('latin1');
  };
  let raw: Buffer = Buffer.alloc(0);
  let stop: ReadStop = 'matched';
  if (already) {
    consume(already);
    raw = already;
  }
  if (!looksLikePrompt(text)) {
    const got = await readUntil(
      conn,
      readOpts(ctx, {
        maxBytes: Math.max(0, ctx.maxBytes - raw.length),
        onChunk: consume,
        until: () => looksLikePrompt(text),
      }),
    );
    raw = Buffer.concat([raw, got.data]);
    stop = got.stop;
  }
  // Data sent before any IAC may still be another protocol (e.g. SSH on port 23).
  const other = serviceFromBanner(raw);
  if (other !== null && other !== 'telnet' && raw[0] !== 0xff) return interpret(raw, stop);
  if (raw.length === 0) return { service: null, raw, details: null, stop };
  return {
    service: 'telnet',
    raw,
    banner: text.length > 0 ? sanitiseBanner(Buffer.from(text, 'latin1')) : null,
    details: telnetDetails(text, decoder),
    stop,
  };
}

function telnetDetails(text: string, decoder: TelnetDecoder): ServiceDetails {
  const hostname = telnetHostname(text);
  return {
    kind: 'telnet',
    promptSeen: looksLikePrompt(text),
    ...(hostname ? { hostname } : {}),
    negotiations: [...decoder.negotiations],
  };
}

function hostHeader(ctx: GrabContext, defaultPort: number): string {
  const host = ctx.ip.includes(':') ? `[${ctx.ip}]` : ctx.ip;
  return ctx.port === defaultPort ? host : `${host}:${ctx.port}`;
}

async function grabHttp(conn: TcpConnection, ctx: GrabContext): Promise<Grab> {
  conn.write(
    `GET / HTTP/1.0\r\nHost: ${hostHeader(ctx, 80)}\r\nUser-Agent: xmscan\r\nAccept: text/html,*/*\r\nConnection: close\r\n\r\n`,
  );
  const { data, stop } = await readUntil(conn, readOpts(ctx, { until: httpHaveEnough }));
  if (data.length === 0) return { service: null, raw: data, details: null, stop };
  return interpret(data, stop);
}

/** Head complete and either the title is in, or the declared body is complete. */
function httpHaveEnough(d: Buffer): boolean {
  if (hasSshLine(d) && serviceFromBanner(d) === 'ssh') return true; // banner-first server on an HTTP port
  const end = headEnd(d);
  if (end < 0) return false;
  if (/<\/title/i.test(d.subarray(end, end + 64 * 1024).toString('latin1'))) return true;
  const head = parseResponseHead(d);
  const len = head ? Number(head.headers['content-length']) : NaN;
  return Number.isFinite(len) && d.length - end >= len;
}

function httpFromReply(raw: Buffer): Omit<Grab, 'stop'> {
  const head = parseResponseHead(raw, { partial: true });
  if (!head) return { service: null, raw, details: null };
  let body = raw.subarray(Math.min(head.bodyOffset, raw.length));
  if (/chunked/i.test(head.headers['transfer-encoding'] ?? '')) body = dechunk(body, body.length);
  const title = extractTitle(body);
  const details: ServiceDetails = {
    kind: 'http',
    status: head.status,
    reason: head.reason,
    authRequired: head.status === 401 || 'www-authenticate' in head.headers,
    ...(head.headers.server ? { server: head.headers.server } : {}),
    ...(title ? { title } : {}),
    ...(head.headers.location ? { location: head.headers.location } : {}),
  };
  // The banner is the head only: bodies are large and say little.
  return { service: head.protocol === 'RTSP' ? 'rtsp' : 'http', raw, banner: sanitiseBanner(raw.subarray(0, head.bodyOffset)), details };
}

function rtspDetails(head: NonNullable<ReturnType<typeof parseResponseHead>>): ServiceDetails {
  const methods = head.headers.public
    ?.split(',')
    .map((m) => m.trim().toUpperCase())
    .filter((m) => /^[A-Z_]{1,32}$/.test(m))
    .slice(0, 32);
  return {
    kind: 'rtsp',
    status: head.status,
    authRequired: head.status === 401,
    ...(head.headers.server ? { server: head.headers.server } : {}),
    ...(methods && methods.length > 0 ? { methods } : {}),
  };
}

async function grabRtsp(conn: TcpConnection, ctx: GrabContext): Promise<Grab> {
  const started = ctx.now();
  const url = `rtsp://${hostHeader(ctx, 554)}/`;
  conn.write(`OPTIONS ${url} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: xmscan\r\n\r\n`);
  const first = await readUntil(conn, readOpts(ctx, { until: (d) => headEnd(d) >= 0 }));
  if (first.data.length === 0) return { service: null, raw: first.data, details: null, stop: first.stop };
  const head = parseResponseHead(first.data, { partial: true });
  if (!head || head.protocol !== 'RTSP') return interpret(first.data, first.stop);
  const details = rtspDetails(head) as Extract<ServiceDetails, { kind: 'rtsp' }>;
  const banner = sanitiseBanner(first.data.subarray(0, head.bodyOffset));
  // DESCRIBE answers whether the stream needs credentials (advisories.md §3.6); it starts no media.
  // Only when OPTIONS succeeded, carried no body to skip, and time and bytes remain.
  const remainingMs = ctx.timeoutMs - (ctx.now() - started);
  const bodyLen = Number(head.headers['content-length'] ?? 0);
  const remainingBytes = ctx.maxBytes - first.data.length;
  if (head.status === 200 && first.stop === 'matched' && first.data.length === head.bodyOffset && bodyLen === 0 && remainingMs > 0 && remainingBytes > 16) {
    conn.write(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\nUser-Agent: xmscan\r\n\r\n`);
    const second = await readUntil(
      conn,
      readOpts(ctx, { maxBytes: remainingBytes, timeoutMs: remainingMs, until: (d) => rtspBodyComplete(d) }),
    );
    const dhead = parseResponseHead(second.data, { partial: true });
    if (dhead && dhead.protocol === 'RTSP') {
      const sdp = second.data.subarray(dhead.bodyOffset).toString('latin1').startsWith('v=0');
      details.describe = { status: dhead.status, sdp };
      if (dhead.status === 401) details.authRequired = true;
    }
    return { service: 'rtsp', raw: Buffer.concat([first.data, second.data]), banner, details, stop: second.stop };
  }
  return { service: 'rtsp', raw: first.data, banner, details, stop: first.stop };
}

function rtspBodyComplete(d: Buffer): boolean {
  const end = headEnd(d);
  if (end < 0) return false;
  const head = parseResponseHead(d);
  const len = Number(head?.headers['content-length'] ?? 0);
  return !Number.isFinite(len) || d.length - end >= len;
}

async function grabMqtt(conn: TcpConnection, ctx: GrabContext): Promise<Grab> {
  conn.write(encodeMqttConnect(`xmscan-${randomBytes(4).toString('hex')}`));
  const { data, stop } = await readUntil(conn, readOpts(ctx, { until: (d) => decodeConnack(d) !== null }));
  const connack = decodeConnack(data);
  if (connack === null || connack === 'bad') {
    return data.length === 0 ? { service: null, raw: data, details: null, stop } : interpret(data, stop);
  }
  // Leave cleanly so the broker does not publish a will or log an abrupt drop.
  conn.write(MQTT_DISCONNECT);
  return {
    service: 'mqtt',
    raw: data,
    banner: `CONNACK ${connack.returnCode} (${connack.meaning})`,
    details: {
      kind: 'mqtt',
      returnCode: connack.returnCode,
      meaning: connack.meaning,
      anonymous: connack.returnCode === 0,
      sessionPresent: connack.sessionPresent,
    },
    stop,
  };
}

function clampInt(value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
