/** Ecosystem probes against real loopback servers (TCP on 127.0.0.1:0, UDP dgram on 127.0.0.1:0). */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createUdpTransport } from '../transport/udp.js';
import { createTcpConnector } from '../transport/tcp.js';
import { httpGet } from './http-get.js';
import { probeLumiGateway } from './lumi.js';
import { probeRouterInitInfo } from './router.js';
import { probeValetudo } from './valetudo.js';
import { probeYeelight } from './yeelight.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function serve(onConnect: (socket: net.Socket, received: string[]) => void): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnect(socket, received);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, received };
}

/** An HTTP/1.0 server answering by path. */
async function httpServer(routes: Record<string, string | (() => string)>): Promise<{ port: number; received: string[] }> {
  return serve((sock, received) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (!buf.includes('\r\n\r\n')) return;
      received.push(buf);
      const path = /^GET (\S+) /.exec(buf)?.[1] ?? '';
      const route = routes[path];
      const body = typeof route === 'function' ? route() : route;
      if (body === undefined) sock.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
      else if (body.startsWith('HTTP/')) sock.end(body);
      else sock.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  });
}

const connector = createTcpConnector();

describe('Yeelight LAN control', () => {
  it('sends one get_prop line and parses the reply, skipping a props notification', async () => {
    const s = await serve((sock, received) =>
      sock.on('data', (d) => {
        received.push(d.toString());
        sock.write('{"method":"props","params":{"power":"on"}}\r\n');
        setTimeout(() => sock.write('{"id":1,"result":["on","Desk lamp"]}\r\n'), 10);
      }),
    );
    const r = await probeYeelight({ ip: '127.0.0.1', port: s.port, connector });
    expect(r).toEqual({ ok: true, value: { lanControl: true, power: 'on', name: 'Desk lamp' } });
    expect(s.received.join('')).toBe('{"id":1,"method":"get_prop","params":["power","name"]}\r\n');
  });

  it('closed port = LAN control off (refused)', async () => {
    const s = await serve(() => undefined);
    closers.pop()!();
    await new Promise((r) => setTimeout(r, 20));
    const r = await probeYeelight({ ip: '127.0.0.1', port: s.port, connector });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('MIIO_ERR_TCP_REFUSED');
  });

  it('silent or garbage peers give typed errors within the deadline', async () => {
    const silent = await serve(() => undefined);
    const t0 = performance.now();
    const r1 = await probeYeelight({ ip: '127.0.0.1', port: silent.port, connector, timeoutMs: 200 });
    expect(r1.ok ? null : r1.error.code).toBe('MIIO_ERR_PROBE_TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(600);
    const junk = await serve((sock) => sock.on('data', () => sock.end('\x00\xffnot json\r\n')));
    const r2 = await probeYeelight({ ip: '127.0.0.1', port: junk.port, connector });
    expect(r2.ok ? null : r2.error.code).toBe('MIIO_ERR_PROBE_BAD_REPLY');
    const flood = await serve((sock) => sock.on('data', () => sock.write(Buffer.alloc(100_000, 0x7b))));
    const r3 = await probeYeelight({ ip: '127.0.0.1', port: flood.port, connector, maxBytes: 4096 });
    expect(r3.ok ? null : r3.error.code).toBe('MIIO_ERR_PROBE_BAD_REPLY');
  });
});

describe('router init_info', () => {
  const INIT_INFO = JSON.stringify({
    code: 0, isSupportMesh: 1, secAcc: 1, inited: 1, connect: 0, modules: { replacement_assistant: '1' }, hardware: 'RB03',
    language: 'en', server: 'AP', romversion: '1.0.54', countrycode: 'DE', id: '36418/J1VT25382', routername: 'Redmi_A141',
    displayName: 'Redmi router AX6S', maccel: '1', model: 'xiaomi.router.rb03', bound: 0, isRedmi: 1,
    routerId: 'a4aa1022-57a2-a530-d568-7905f1685a57',
  });

  it('classic LuCI path; serial masked, exposure flagged', async () => {
    const s = await httpServer({ '/cgi-bin/luci/api/xqsystem/init_info': INIT_INFO });
    const r = await probeRouterInitInfo({ ip: '127.0.0.1', port: s.port, connector });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ path: '/cgi-bin/luci/api/xqsystem/init_info', hardware: 'RB03', romversion: '1.0.54', model: 'xiaomi.router.rb03', inited: true, countrycode: 'DE', serialExposed: true, serialMasked: '364**********82' });
    expect(JSON.stringify(r)).not.toContain('J1VT25382');
    expect(s.received).toHaveLength(1);
    expect(s.received[0]).toMatch(/^GET \/cgi-bin\/luci\/api\/xqsystem\/init_info HTTP\/1\.0\r\n/);
  });

  it('falls back to /api/xqsystem/init_info after a 404', async () => {
    const s = await httpServer({ '/api/xqsystem/init_info': INIT_INFO });
    const r = await probeRouterInitInfo({ ip: '127.0.0.1', port: s.port, connector });
    expect(r.ok && r.value.path).toBe('/api/xqsystem/init_info');
    expect(s.received.map((x) => x.split(' ')[1])).toEqual(['/cgi-bin/luci/api/xqsystem/init_info', '/api/xqsystem/init_info']);
  });

  it('not a router: typed NOT_FOUND; HTML instead of JSON: BAD_REPLY', async () => {
    const none = await httpServer({});
    const r1 = await probeRouterInitInfo({ ip: '127.0.0.1', port: none.port, connector });
    expect(r1.ok ? null : r1.error.code).toBe('MIIO_ERR_PROBE_NOT_FOUND');
    const html = await httpServer({ '/cgi-bin/luci/api/xqsystem/init_info': 'HTTP/1.0 200 OK\r\n\r\n<html>hi</html>', '/api/xqsystem/init_info': 'HTTP/1.0 200 OK\r\n\r\n{"a":' });
    const r2 = await probeRouterInitInfo({ ip: '127.0.0.1', port: html.port, connector });
    expect(r2.ok ? null : r2.error.code).toBe('MIIO_ERR_PROBE_BAD_REPLY');
  });

  it('deeply nested JSON bomb is refused without parsing', async () => {
    const bomb = '{"hardware":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const s = await httpServer({ '/cgi-bin/luci/api/xqsystem/init_info': bomb, '/api/xqsystem/init_info': bomb });
    const r = await probeRouterInitInfo({ ip: '127.0.0.1', port: s.port, connector });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_PROBE_BAD_REPLY');
  });
});

describe('Valetudo', () => {
  it('version without auth', async () => {
    const s = await httpServer({ '/api/v2/valetudo/version': '{"release":"2023.01.0","commit":"abc123"}' });
    expect(await probeValetudo({ ip: '127.0.0.1', port: s.port, connector })).toEqual({ ok: true, value: { authRequired: false, release: '2023.01.0', commit: 'abc123' } });
  });
  it('401 = basic auth on; other servers are NOT_FOUND', async () => {
    const auth = await httpServer({ '/api/v2/valetudo/version': 'HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n' });
    expect(await probeValetudo({ ip: '127.0.0.1', port: auth.port, connector })).toEqual({ ok: true, value: { authRequired: true } });
    const other = await httpServer({});
    const r = await probeValetudo({ ip: '127.0.0.1', port: other.port, connector });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_PROBE_NOT_FOUND');
  });
});

describe('httpGet limits', () => {
  it('10 MB body is cut at maxBodyBytes and marked truncated', async () => {
    const s = await serve((sock) =>
      sock.once('data', () => {
        sock.write('HTTP/1.1 200 OK\r\nContent-Length: 10485760\r\n\r\n');
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = (): void => {
          while (sent < 10 * 1024 * 1024 && !sock.destroyed) {
            sent += chunk.length;
            if (!sock.write(chunk)) return;
          }
        };
        sock.on('drain', pump);
        pump();
      }),
    );
    const t0 = performance.now();
    const r = await httpGet({ connector, host: '127.0.0.1', port: s.port, path: '/', maxBodyBytes: 32 * 1024 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.body.length).toBe(32 * 1024);
      expect(r.value.truncated).toBe(true);
    }
  });
  it('chunked body is decoded; trickling body stops at the deadline', async () => {
    const chunked = await serve((sock) => sock.once('data', () => sock.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n')));
    const r = await httpGet({ connector, host: '127.0.0.1', port: chunked.port, path: '/x' });
    expect(r.ok && r.value.body.toString()).toBe('{"a":1}');
    const trickle = await serve((sock) =>
      sock.once('data', () => {
        sock.write('HTTP/1.1 200 OK\r\n');
        const t = setInterval(() => sock.write('X-A: b\r\n'), 20);
        sock.on('close', () => clearInterval(t));
      }),
    );
    const t0 = performance.now();
    const r2 = await httpGet({ connector, host: '127.0.0.1', port: trickle.port, path: '/', timeoutMs: 250 });
    expect(r2.ok ? null : r2.error.code).toBe('MIIO_ERR_PROBE_BAD_REPLY');
    expect(performance.now() - t0).toBeLessThan(700);
  });
  it('refuses a path with spaces or CRLF (no request smuggling from callers)', async () => {
    const r = await httpGet({ connector, host: '127.0.0.1', port: 1, path: '/a b\r\nX: y' });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_BAD_OPTIONS');
  });
  it('abort during the request', async () => {
    const s = await serve(() => undefined);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await httpGet({ connector, host: '127.0.0.1', port: s.port, path: '/', timeoutMs: 5000, signal: ac.signal });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_ABORTED');
  });
});

describe('Lumi gateway (UDP, unicast)', () => {
  /** A fake gateway: `iam` on the discovery socket, `read_ack` on the data socket. */
  async function gateway(opts: { answerWhois?: boolean; answerRead?: boolean; junk?: boolean } = {}) {
    const disc = dgram.createSocket('udp4');
    const data = dgram.createSocket('udp4');
    const seen: string[] = [];
    await Promise.all([new Promise<void>((r) => disc.bind(0, '127.0.0.1', r)), new Promise<void>((r) => data.bind(0, '127.0.0.1', r))]);
    const dataPort = data.address().port;
    disc.on('message', (m, rinfo) => {
      seen.push(`disc ${m.toString()}`);
      if (opts.junk) disc.send(Buffer.from([0xff, 0x00, 0x7b]), rinfo.port, rinfo.address);
      if (opts.answerWhois !== false) {
        disc.send(JSON.stringify({ cmd: 'iam', port: String(dataPort), sid: '7811dcb07917', model: 'gateway', proto_version: '1.1.2', ip: '10.0.4.104' }), rinfo.port, rinfo.address);
      }
    });
    data.on('message', (m, rinfo) => {
      seen.push(`data ${m.toString()}`);
      if (opts.answerRead === false) return;
      const req = JSON.parse(m.toString()) as { cmd: string; sid: string };
      if (req.cmd === 'read') {
        data.send(JSON.stringify({ cmd: 'read_ack', model: 'gateway', sid: req.sid, short_id: 0, data: JSON.stringify({ rgb: 0, illumination: 495, proto_version: '1.1.2' }) }), rinfo.port, rinfo.address);
      }
    });
    closers.push(async () => {
      disc.close();
      data.close();
    });
    return { discPort: disc.address().port, dataPort, seen };
  }

  it('whois → iam, then read of the gateway sid → read_ack; nothing else sent', async () => {
    const g = await gateway();
    const r = await probeLumiGateway({ ip: '127.0.0.1', discoveryPort: g.discPort, port: 1, timeoutMs: 1000, bindAddress: '127.0.0.1' });
    expect(r).toEqual({
      ok: true,
      value: {
        iam: { sid: '7811dcb07917', model: 'gateway', protoVersion: '1.1.2', port: g.dataPort, claimedIp: '10.0.4.104' },
        read: { cmd: 'read_ack', sid: '7811dcb07917', model: 'gateway', data: { rgb: 0, illumination: 495, proto_version: '1.1.2' } },
      },
    });
    expect(g.seen).toEqual(['disc {"cmd":"whois"}', 'data {"cmd":"read","sid":"7811dcb07917"}']);
  });

  it('junk datagrams are ignored; a silent gateway is a typed timeout within the deadline', async () => {
    const g = await gateway({ answerWhois: false, junk: true });
    const t0 = performance.now();
    const r = await probeLumiGateway({ ip: '127.0.0.1', discoveryPort: g.discPort, port: g.dataPort, timeoutMs: 200, bindAddress: '127.0.0.1' });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_PROBE_TIMEOUT');
    expect(performance.now() - t0).toBeLessThan(600);
  });

  it('iam only (read unanswered) is still a result', async () => {
    const g = await gateway({ answerRead: false });
    const r = await probeLumiGateway({ ip: '127.0.0.1', discoveryPort: g.discPort, timeoutMs: 200, bindAddress: '127.0.0.1' });
    expect(r.ok && r.value.iam?.sid).toBe('7811dcb07917');
    expect(r.ok && r.value.read).toBeUndefined();
  });

  it('with a known sid the read goes out at once, to the given port', async () => {
    const g = await gateway({ answerWhois: false });
    const r = await probeLumiGateway({ ip: '127.0.0.1', sid: '7811DCB07917', discoveryPort: g.discPort, port: g.dataPort, timeoutMs: 500, transport: createUdpTransport(), bindAddress: '127.0.0.1' });
    expect(r.ok && r.value.read?.data['illumination']).toBe(495);
  });

  it('abort is honoured', async () => {
    const g = await gateway({ answerWhois: false });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const r = await probeLumiGateway({ ip: '127.0.0.1', discoveryPort: g.discPort, timeoutMs: 5000, signal: ac.signal, bindAddress: '127.0.0.1' });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_ABORTED');
  });
});
