import type { DeviceProfile, TcpListenerProfile } from './profile.js';
import { INIT_INFO_PATHS, buildInitInfo } from './router.js';

/**
 * Per-connection protocol behaviour of the TCP listeners (pure): realistic banners and the minimum
 * of each protocol a scanner reads (protocols.md §5.4-§5.5). The socket adapter feeds bytes in and
 * writes what comes out.
 */

export interface SessionLogEntry {
  proto: 'tcp' | 'http';
  kind: string;
  readOnly: boolean;
  detail: Record<string, unknown>;
}

export interface SessionStep {
  writes: Buffer[];
  close: boolean;
  records: SessionLogEntry[];
}

export interface TcpSession {
  /** Bytes sent as soon as the connection is accepted (ssh/telnet banners), and the connect log. */
  open(): SessionStep;
  onData(chunk: Buffer): SessionStep;
}

/** A request head larger than this is junk: answer 400 / close rather than buffer forever. */
const MAX_HEAD_BYTES = 8 * 1024;
const MAX_MQTT_PACKET = 64 * 1024;

const step = (writes: Buffer[] = [], close = false, records: SessionLogEntry[] = []): SessionStep => ({ writes, close, records });
const text = (s: string) => Buffer.from(s, 'utf8');

const REASONS: Record<number, string> = {
  200: 'OK', 301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 454: 'Session Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function createSession(listener: TcpListenerProfile, device: DeviceProfile, address: string): TcpSession {
  switch (listener.service) {
    case 'http':
      return httpSession(listener, device, address);
    case 'rtsp':
      return rtspSession(listener);
    case 'mqtt':
      return mqttSession(listener);
    default:
      return bannerSession(listener);
  }
}

function connectRecord(l: TcpListenerProfile): SessionLogEntry {
  return { proto: 'tcp', kind: `${l.service}:connect`, readOnly: true, detail: { port: l.port } };
}

function defaultBanner(l: TcpListenerProfile): string {
  if (l.service === 'ssh') return 'SSH-2.0-dropbear_2019.78';
  if (l.service === 'telnet') return '\r\nlogin: ';
  return '';
}

/** ssh, telnet, raw: greet with the banner; an SSH version line is CRLF-terminated (RFC 4253 §4.2). */
function bannerSession(l: TcpListenerProfile): TcpSession {
  let sawClientVersion = false;
  let sawData = false;
  return {
    open() {
      const banner = l.banner ?? defaultBanner(l);
      const bytes = l.service === 'ssh' && !banner.endsWith('\r\n') ? banner + '\r\n' : banner;
      return step(bytes.length > 0 ? [text(bytes)] : [], false, [connectRecord(l)]);
    },
    onData(chunk) {
      if (l.service === 'ssh') {
        if (!sawClientVersion && chunk.toString('latin1').startsWith('SSH-')) {
          sawClientVersion = true;
          const line = chunk.toString('latin1').split(/\r?\n/)[0]!.slice(0, 255);
          return step([], false, [{ proto: 'tcp', kind: 'ssh:client-version', readOnly: true, detail: { version: line } }]);
        }
        // Key exchange would follow; the simulator stops here (no crypto), logged once.
        if (sawData) return step();
        sawData = true;
        return step([], true, [{ proto: 'tcp', kind: 'ssh:data', readOnly: true, detail: { length: chunk.length } }]);
      }
      if (l.service === 'telnet') {
        // Typing into a login prompt is an attempt to log in: not read-only.
        return step([text('\r\nLogin incorrect\r\n' + (l.banner ?? defaultBanner(l)))], false, [
          { proto: 'tcp', kind: 'telnet:input', readOnly: false, detail: { length: chunk.length } },
        ]);
      }
      if (sawData) return step();
      sawData = true;
      return step([], false, [{ proto: 'tcp', kind: 'raw:data', readOnly: true, detail: { length: chunk.length } }]);
    },
  };
}

interface ParsedHead {
  method: string;
  target: string;
  version: string;
  headers: Map<string, string>;
}

function parseHead(head: string): ParsedHead | null {
  const lines = head.split('\r\n');
  const m = /^([A-Z_]{1,32}) (\S{1,2048}) ((?:HTTP|RTSP)\/\d\.\d)$/.exec(lines[0] ?? '');
  if (!m) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return { method: m[1]!, target: m[2]!, version: m[3]!, headers };
}

function httpResponse(status: number, headers: Record<string, string>, body: string, head = false): Buffer {
  const b = text(body);
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Status'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `Content-Length: ${b.length}`, 'Connection: close', '', ''];
  return Buffer.concat([text(lines.join('\r\n')), head ? Buffer.alloc(0) : b]);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One request per connection (Connection: close), enough for banner grabbing and the router API. */
function httpSession(l: TcpListenerProfile, device: DeviceProfile, address: string): TcpSession {
  let buf = Buffer.alloc(0);
  let done = false;
  const server = l.server ?? 'nginx';
  return {
    open: () => step([], false, [connectRecord(l)]),
    onData(chunk) {
      if (done) return step();
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buf.length <= MAX_HEAD_BYTES) return step();
        done = true;
        return step([httpResponse(400, { Server: server }, '')], true, [{ proto: 'http', kind: 'malformed', readOnly: true, detail: { length: buf.length } }]);
      }
      done = true;
      const req = parseHead(buf.subarray(0, end).toString('latin1'));
      if (!req || !req.version.startsWith('HTTP/')) {
        return step([httpResponse(400, { Server: server }, '')], true, [{ proto: 'http', kind: 'malformed', readOnly: true, detail: { length: end } }]);
      }
      const path = req.target.split('?')[0]!;
      const readOnly = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS';
      const record: SessionLogEntry = { proto: 'http', kind: `${req.method} ${path}`, readOnly, detail: { method: req.method, path, port: l.port, userAgent: req.headers.get('user-agent') ?? null } };
      const isHead = req.method === 'HEAD';
      if (!readOnly) return step([httpResponse(405, { Server: server, Allow: 'GET, HEAD' }, '')], true, [record]);
      if (device.router && INIT_INFO_PATHS.includes(path)) {
        const body = JSON.stringify(buildInitInfo(device, device.router));
        return step([httpResponse(200, { Server: server, 'Content-Type': 'application/json' }, body, isHead)], true, [record]);
      }
      if (device.router && path === '/cgi-bin/luci/web') {
        // Login page embeds hardware, romVersion and the MAC as deviceId (§5.4).
        const r = device.router;
        const body = `<html><head><title>${escapeHtml(l.title ?? 'Xiaomi Router')}</title><script>var deviceId = '${device.mac}';\nvar hardware = '${r.hardware}';\nvar GLOBALCONFIG = { romVersion: '${r.romversion}', romChannel: 'release', key: 'a2ffa5c9be07488bbb04a3a47d3c5f6a' };</script></head><body></body></html>`;
        return step([httpResponse(200, { Server: server, 'Content-Type': 'text/html; charset=utf-8' }, body, isHead)], true, [record]);
      }
      if (path !== '/' && path !== '/index.html') {
        return step([httpResponse(404, { Server: server, 'Content-Type': 'text/html' }, '<html><body>404 Not Found</body></html>', isHead)], true, [record]);
      }
      const status = l.status ?? 200;
      const headers: Record<string, string> = { Server: server, 'Content-Type': 'text/html; charset=utf-8' };
      if (status === 401) headers['WWW-Authenticate'] = `Basic realm="${l.title ?? address}"`;
      const body = `<!DOCTYPE html><html><head><title>${escapeHtml(l.title ?? '')}</title></head><body></body></html>`;
      return step([httpResponse(status, headers, body, isHead)], true, [record]);
    },
  };
}

const RTSP_READ_ONLY = new Set(['OPTIONS', 'DESCRIBE', 'GET_PARAMETER', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN']);

/** RTSP/1.0: OPTIONS answered with Public + Server; DESCRIBE 401 (Digest) or a tiny SDP. */
function rtspSession(l: TcpListenerProfile): TcpSession {
  let buf = Buffer.alloc(0);
  const server = l.server ?? 'LIVE555 Streaming Media v2020.01.11';
  return {
    open: () => step([], false, [connectRecord(l)]),
    onData(chunk) {
      buf = Buffer.concat([buf, chunk]);
      const out = step();
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) {
          if (buf.length > MAX_HEAD_BYTES) {
            out.close = true;
            out.records.push({ proto: 'tcp', kind: 'rtsp:malformed', readOnly: true, detail: { length: buf.length } });
          }
          return out;
        }
        const req = parseHead(buf.subarray(0, end).toString('latin1'));
        buf = buf.subarray(end + 4);
        if (!req || !req.version.startsWith('RTSP/')) {
          out.writes.push(text(`RTSP/1.0 400 Bad Request\r\nServer: ${server}\r\n\r\n`));
          out.close = true;
          out.records.push({ proto: 'tcp', kind: 'rtsp:malformed', readOnly: true, detail: {} });
          return out;
        }
        const cseq = req.headers.get('cseq') ?? '0';
        const readOnly = RTSP_READ_ONLY.has(req.method);
        out.records.push({ proto: 'tcp', kind: `rtsp:${req.method}`, readOnly, detail: { method: req.method, url: req.target.slice(0, 256), port: l.port } });
        const common = `CSeq: ${cseq}\r\nServer: ${server}\r\nDate: ${new Date().toUTCString()}\r\n`;
        if (req.method === 'OPTIONS') {
          out.writes.push(text(`RTSP/1.0 200 OK\r\n${common}Public: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER\r\n\r\n`));
        } else if (req.method === 'DESCRIBE' && l.auth) {
          out.writes.push(text(`RTSP/1.0 401 Unauthorized\r\n${common}WWW-Authenticate: Digest realm="LIVE555 Streaming Media", nonce="b1b9e1c3a5d14e6f"\r\n\r\n`));
        } else if (req.method === 'DESCRIBE') {
          const sdp = 'v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=Session streamed by xmsim\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n';
          out.writes.push(text(`RTSP/1.0 200 OK\r\n${common}Content-Base: ${req.target}/\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`));
        } else {
          out.writes.push(text(`RTSP/1.0 405 Method Not Allowed\r\n${common}Allow: OPTIONS, DESCRIBE\r\n\r\n`));
        }
      }
    },
  };
}

const MQTT_TYPES: Record<number, string> = { 1: 'CONNECT', 3: 'PUBLISH', 8: 'SUBSCRIBE', 10: 'UNSUBSCRIBE', 12: 'PINGREQ', 14: 'DISCONNECT' };

/** MQTT 3.1.1: CONNECT -> CONNACK with the profile's return code; PUBLISH is logged as a change. */
function mqttSession(l: TcpListenerProfile): TcpSession {
  let buf = Buffer.alloc(0);
  let closed = false;
  const rc = l.connack ?? 0;
  return {
    open: () => step([], false, [connectRecord(l)]),
    onData(chunk) {
      const out = step();
      if (closed) return out;
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        // Remaining length: 1-4 byte varint (MQTT 3.1.1 §2.2.3).
        let len = 0;
        let mul = 1;
        let i = 1;
        for (; i <= 4; i++) {
          if (i >= buf.length) return out;
          const b = buf[i]!;
          len += (b & 0x7f) * mul;
          mul *= 128;
          if ((b & 0x80) === 0) break;
        }
        if (i > 4 || len > MAX_MQTT_PACKET) {
          closed = true;
          out.close = true;
          out.records.push({ proto: 'tcp', kind: 'mqtt:malformed', readOnly: true, detail: {} });
          return out;
        }
        const total = i + 1 + len;
        if (buf.length < total) return out;
        const type = buf[0]! >> 4;
        const body = buf.subarray(i + 1, total);
        buf = buf.subarray(total);
        const name = MQTT_TYPES[type] ?? `type-${type}`;
        const readOnly = type !== 3;
        const detail: Record<string, unknown> = { port: l.port };
        if (type === 1) {
          const cid = readMqttClientId(body);
          if (cid !== null) detail['clientId'] = cid.slice(0, 64);
          detail['returnCode'] = rc;
        }
        out.records.push({ proto: 'tcp', kind: `mqtt:${name}`, readOnly, detail });
        if (type === 1) {
          out.writes.push(Buffer.from([0x20, 0x02, 0x00, rc & 0xff]));
          if (rc !== 0) {
            closed = true;
            out.close = true;
            return out;
          }
        } else if (type === 8 && body.length >= 2) {
          out.writes.push(Buffer.from([0x90, 0x03, body[0]!, body[1]!, 0x00]));
        } else if (type === 12) {
          out.writes.push(Buffer.from([0xd0, 0x00]));
        } else if (type === 14 || type === 3) {
          // DISCONNECT, or PUBLISH: the simulated broker accepts no changes and hangs up.
          closed = true;
          out.close = true;
          return out;
        }
      }
      return out;
    },
  };
}

function readMqttClientId(body: Buffer): string | null {
  if (body.length < 2) return null;
  const nameLen = body.readUInt16BE(0);
  const p = 2 + nameLen + 4; // protocol name, level, flags, keep-alive
  if (p + 2 > body.length) return null;
  const idLen = body.readUInt16BE(p);
  if (p + 2 + idLen > body.length) return null;
  return body.toString('utf8', p + 2, p + 2 + idLen);
}
