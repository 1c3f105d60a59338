/**
 * probePorts against real sockets on 127.0.0.1 (port 0 servers emulating device banners and
 * hostile peers). Unicast loopback only.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createTcpConnector } from '../transport/tcp.js';
import { ProbeError } from './errors.js';
import { probePorts, type PortResult } from './ports.js';
import type { TcpConnector } from './types.js';

const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Served {
  port: number;
  received: Buffer[];
  /** Bytes the server managed to hand to the kernel before the client went away. */
  written: () => number;
  closed: Promise<void>;
}

async function serve(onConnect: (socket: net.Socket, state: { written: number }) => void): Promise<Served> {
  const received: Buffer[] = [];
  const state = { written: 0 };
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d) => received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolveClosed());
    onConnect(socket, state);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, received, written: () => state.written, closed };
}

/** Probe one port of ours, with `service` forced by mapping a well-known port onto the real one. */
function connectorTo(realPort: number, base: TcpConnector = createTcpConnector()): TcpConnector {
  return { connect: (o) => base.connect({ ...o, port: realPort }) };
}

async function probeAs(wellKnownPort: number, served: Served, opts: Partial<Parameters<typeof probePorts>[0]> = {}): Promise<PortResult> {
  const [r] = await probePorts({
    ip: '127.0.0.1',
    ports: [wellKnownPort],
    connectTimeoutMs: 500,
    bannerTimeoutMs: 1000,
    maxBannerBytes: 4096,
    connector: connectorTo(served.port),
    ...opts,
  });
  return r!;
}

const concat = (b: Buffer[]): Buffer => Buffer.concat(b);

describe('banners', () => {
  it('SSH: passive read of the version line; sends nothing', async () => {
    const s = await serve((sock) => sock.write('SSH-2.0-dropbear_2019.78\r\n'));
    const r = await probeAs(22, s);
    expect(r).toMatchObject({ port: 22, protocol: 'tcp', open: true, state: 'open', service: 'ssh', banner: 'SSH-2.0-dropbear_2019.78\n' });
    expect(r.details).toEqual({ kind: 'ssh', protocolVersion: '2.0', software: 'dropbear_2019.78' });
    expect(r.read?.stop).toBe('matched');
    expect(concat(s.received).length).toBe(0);
  });

  it('telnet: strips IAC, refuses options with WONT/DONT only, reads to the prompt, sends no input', async () => {
    const s = await serve((sock) => {
      sock.write(Buffer.from([0xff, 0xfd, 0x18, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03]));
      setTimeout(() => sock.write('\r\nrlxlinux login: '), 30);
    });
    const started = performance.now();
    const r = await probeAs(23, s);
    expect(performance.now() - started).toBeLessThan(900); // stopped at the prompt, not the timeout
    expect(r.service).toBe('telnet');
    expect(r.banner).toBe('\nrlxlinux login: ');
    expect(r.details).toEqual({ kind: 'telnet', promptSeen: true, hostname: 'rlxlinux', negotiations: ['DO 24', 'WILL 1', 'WILL 3'] });
    await new Promise((res) => setTimeout(res, 50));
    // Everything we sent is a refusal triple IAC WONT/DONT x: no login attempt, no option turned on.
    expect([...concat(s.received)]).toEqual([0xff, 0xfc, 0x18, 0xff, 0xfe, 0x01, 0xff, 0xfe, 0x03]);
  });

  it('HTTP: GET / with Host, status, Server, title', async () => {
    const s = await serve((sock) =>
      sock.once('data', () =>
        sock.end('HTTP/1.1 200 OK\r\nServer: nginx/1.12\r\nContent-Type: text/html\r\n\r\n<html><head><title>Valetudo</title></head></html>'),
      ),
    );
    const r = await probeAs(80, s);
    expect(r.service).toBe('http');
    expect(r.details).toEqual({ kind: 'http', status: 200, reason: 'OK', server: 'nginx/1.12', title: 'Valetudo', authRequired: false });
    expect(r.banner).toContain('HTTP/1.1 200 OK');
    expect(r.banner).not.toContain('<title>');
    const req = concat(s.received).toString();
    expect(req).toMatch(/^GET \/ HTTP\/1\.0\r\n/);
    expect(req).toContain('\r\nHost: 127.0.0.1:80\r\n'.replace(':80', ''));
  });

  it('HTTP 401 with WWW-Authenticate → authRequired', async () => {
    const s = await serve((sock) => sock.once('data', () => sock.end('HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Basic realm="x"\r\n\r\n')));
    const r = await probeAs(8080, s);
    expect(r.details).toMatchObject({ kind: 'http', status: 401, authRequired: true });
    expect(concat(s.received).toString()).toContain('Host: 127.0.0.1:8080\r\n');
  });

  it('RTSP: OPTIONS then DESCRIBE; 401 on DESCRIBE = auth required', async () => {
    const s = await serve((sock) => {
      let buf = '';
      sock.on('data', (d) => {
        buf += d.toString();
        if (buf.includes('OPTIONS') && buf.endsWith('\r\n\r\n') && !buf.includes('DESCRIBE')) {
          sock.write('RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: LIVE555 Streaming Media v2020.01.11\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY\r\n\r\n');
        } else if (buf.includes('DESCRIBE') && buf.endsWith('\r\n\r\n')) {
          sock.write('RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nWWW-Authenticate: Digest realm="x", nonce="y"\r\n\r\n');
        }
      });
    });
    const r = await probeAs(554, s);
    expect(r.service).toBe('rtsp');
    expect(r.details).toEqual({
      kind: 'rtsp',
      status: 200,
      server: 'LIVE555 Streaming Media v2020.01.11',
      methods: ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY'],
      authRequired: true,
      describe: { status: 401, sdp: false },
    });
    const sent = concat(s.received).toString();
    expect(sent).toMatch(/^OPTIONS rtsp:\/\/127\.0\.0\.1\/ RTSP\/1\.0\r\nCSeq: 1\r\n/);
    expect(sent).toContain('DESCRIBE rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 2\r\n');
    expect(sent).not.toMatch(/SETUP|PLAY /);
  });

  it('RTSP: SDP without credentials = open stream', async () => {
    const s = await serve((sock) => {
      let n = 0;
      sock.on('data', () => {
        n++;
        if (n === 1) sock.write('RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n');
        else sock.write('RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n');
      });
    });
    const r = await probeAs(8554, s);
    expect(r.details).toMatchObject({ kind: 'rtsp', authRequired: false, describe: { status: 200, sdp: true } });
  });

  it('MQTT: CONNECT without credentials, CONNACK 0 = anonymous, then DISCONNECT', async () => {
    const s = await serve((sock) => sock.once('data', () => sock.write(Buffer.from([0x20, 0x02, 0x00, 0x00]))));
    const r = await probeAs(1883, s);
    expect(r.service).toBe('mqtt');
    expect(r.details).toEqual({ kind: 'mqtt', returnCode: 0, meaning: 'accepted', anonymous: true, sessionPresent: false });
    await new Promise((res) => setTimeout(res, 50));
    const sent = concat(s.received);
    expect(sent[0]).toBe(0x10);
    expect(sent[9]).toBe(0x02); // no username/password flags
    expect([...sent.subarray(-2)]).toEqual([0xe0, 0x00]);
    expect(sent.includes(0x82)).toBe(false); // never SUBSCRIBE
  });

  it('MQTT: CONNACK 5 = not authorized', async () => {
    const s = await serve((sock) => sock.once('data', () => sock.end(Buffer.from([0x20, 0x02, 0x00, 0x05]))));
    const r = await probeAs(1883, s);
    expect(r.details).toMatchObject({ kind: 'mqtt', returnCode: 5, anonymous: false, meaning: 'not authorized' });
  });

  it('identifies by banner when the port says otherwise (SSH on 80, telnet on 2000)', async () => {
    const ssh = await serve((sock) => sock.write('SSH-2.0-OpenSSH_8.0\r\n'));
    const r = await probeAs(80, ssh);
    expect(r.service).toBe('ssh');
    expect(r.details).toMatchObject({ kind: 'ssh', software: 'OpenSSH_8.0' });
    const tel = await serve((sock) => sock.write(Buffer.concat([Buffer.from([0xff, 0xfd, 0x01]), Buffer.from('Mijia_Hub_V2 login: ')])));
    const t = await probeAs(2000, tel);
    expect(t.service).toBe('telnet');
    expect(t.details).toMatchObject({ kind: 'telnet', hostname: 'Mijia_Hub_V2' });
  });

  it('telnet on an unknown port that prompts only after our refusals', async () => {
    const s = await serve((sock) => {
      sock.write(Buffer.from([0xff, 0xfd, 0x27]));
      sock.once('data', () => sock.write('Aqara-Hub-E1 login: '));
    });
    const r = await probeAs(40010, s, { bannerTimeoutMs: 1500 });
    expect(r.service).toBe('telnet');
    expect(r.details).toMatchObject({ kind: 'telnet', promptSeen: true, hostname: 'Aqara-Hub-E1' });
    expect(r.elapsedMs).toBeLessThan(500);
  });

  it('silent service on an unknown port: open, no banner, costs the banner timeout', async () => {
    const s = await serve(() => undefined);
    const r = await probeAs(40000, s, { bannerTimeoutMs: 200 });
    expect(r).toMatchObject({ open: true, service: null, banner: null, details: null, read: { bytes: 0, stop: 'timeout' } });
    expect(r.elapsedMs).toBeGreaterThanOrEqual(190);
    expect(r.elapsedMs).toBeLessThan(700);
  });

  it('connect-only services (55443, 443, 8883) send nothing and read nothing', async () => {
    const s = await serve(() => undefined);
    for (const port of [55443, 443, 8883]) {
      const r = await probeAs(port, s);
      expect(r).toMatchObject({ open: true, banner: null, read: { bytes: 0 } });
      expect(r.elapsedMs).toBeLessThan(200);
    }
    expect(concat(s.received).length).toBe(0);
  });
});

describe('hostile peers', () => {
  it('trickling banner stops at the time limit', async () => {
    const s = await serve((sock) => {
      const t = setInterval(() => sock.write('A'), 20);
      sock.on('close', () => clearInterval(t));
    });
    const r = await probeAs(40001, s, { bannerTimeoutMs: 300, maxBannerBytes: 4096 });
    expect(r.read?.stop).toBe('timeout');
    expect(r.read!.bytes).toBeGreaterThan(3);
    expect(r.read!.bytes).toBeLessThan(40);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(r.elapsedMs).toBeLessThan(800);
    await s.closed; // we hung up
  });

  it('trickling telnet prompt that never comes also stops at the time limit', async () => {
    const s = await serve((sock) => {
      const t = setInterval(() => sock.write(Buffer.from([0xff, 0xf1, 0x41])), 20); // IAC NOP + 'A'
      sock.on('close', () => clearInterval(t));
    });
    const r = await probeAs(23, s, { bannerTimeoutMs: 300 });
    expect(r.service).toBe('telnet');
    expect(r.read?.stop).toBe('timeout');
    expect(r.elapsedMs).toBeLessThan(800);
  });

  it('a never-ending stream stops at the byte limit', async () => {
    const s = await serve((sock, st) => {
      const chunk = Buffer.alloc(16 * 1024, 0x42);
      const pump = (): void => {
        while (!sock.destroyed && sock.write(chunk)) st.written += chunk.length;
      };
      sock.on('drain', pump);
      pump();
    });
    const r = await probeAs(40002, s, { maxBannerBytes: 1000, bannerTimeoutMs: 2000 });
    expect(r.read).toEqual({ bytes: 1000, stop: 'limit' });
    expect(r.banner!.length).toBeLessThanOrEqual(513);
    expect(r.elapsedMs).toBeLessThan(500);
  });

  it('a 10 MB HTTP body: reads ≤ maxBannerBytes, stops early, the server cannot push it all', async () => {
    const body = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const s = await serve((sock, st) =>
      sock.once('data', () => {
        sock.write(`HTTP/1.1 200 OK\r\nServer: big\r\nContent-Length: ${body.length}\r\n\r\n<html>`);
        let off = 0;
        const pump = (): void => {
          while (off < body.length && !sock.destroyed) {
            const piece = body.subarray(off, off + 64 * 1024);
            off += piece.length;
            st.written = off;
            if (!sock.write(piece)) return;
          }
          sock.end();
        };
        sock.on('drain', pump);
        pump();
      }),
    );
    const before = process.memoryUsage().heapUsed;
    const r = await probeAs(80, s, { maxBannerBytes: 8192, bannerTimeoutMs: 3000 });
    expect(r.read).toEqual({ bytes: 8192, stop: 'limit' });
    expect(r.details).toMatchObject({ kind: 'http', status: 200, server: 'big' });
    expect(r.elapsedMs).toBeLessThan(1000);
    await s.closed;
    // Backpressure: far less than the 10 MB left the server before we hung up.
    expect(s.written()).toBeLessThan(8 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('binary junk is sanitised into a printable banner', async () => {
    const junk = Buffer.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x80, 0xfe, 0x41, 0x0a]);
    const s = await serve((sock) => sock.end(junk));
    const r = await probeAs(40003, s);
    expect(r.open).toBe(true);
    expect(r.banner).toBe('\\x00\\x1b[2J\\x07\\x80\\xfeA\n');
    expect(r.banner).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('garbage answer to HTTP/RTSP/MQTT requests does not throw', async () => {
    const s = await serve((sock) => sock.once('data', () => sock.end(Buffer.from([0xde, 0xad, 0xbe, 0xef]))));
    for (const port of [80, 554, 1883]) {
      const r = await probeAs(port, s);
      expect(r).toMatchObject({ open: true, details: null, banner: '\\xde\\xad\\xbe\\xef' });
    }
  });

  it('peer resets right after accept (tcpwrapped): still reported open, no throw', async () => {
    const s = await serve((sock) => sock.resetAndDestroy());
    const r = await probeAs(22, s);
    expect(r.open).toBe(true);
    expect(r.read?.stop).toBe('eof');
  });
});

describe('closed, filtered, aborted', () => {
  it('closed port: refused quickly', async () => {
    const s = await serve(() => undefined);
    const port = s.port;
    await new Promise((r) => servers.pop()!.close(r));
    const [r] = await probePorts({ ip: '127.0.0.1', ports: [port], connectTimeoutMs: 1000 });
    expect(r).toMatchObject({ port, open: false, state: 'closed', error: { code: 'MIIO_ERR_TCP_REFUSED' } });
    expect(r!.elapsedMs).toBeLessThan(200);
  });

  it('filtered port (no SYN-ACK): costs ≤ connectTimeoutMs (real connector timer, hanging fake socket)', async () => {
    // On loopback a SYN is never dropped, so the hang is injected: a connector that never connects
    // but honours the timeout contract the same way tcp.ts does.
    const hanging: TcpConnector = {
      connect: (o) =>
        new Promise((_, reject) => {
          const t = setTimeout(() => reject(new ProbeError('MIIO_ERR_TCP_TIMEOUT', 'timeout')), o.timeoutMs);
          o.signal?.addEventListener('abort', () => {
            clearTimeout(t);
            reject(new ProbeError('MIIO_ERR_ABORTED', 'aborted'));
          });
        }),
    };
    const started = performance.now();
    const rs = await probePorts({ ip: '127.0.0.1', ports: [22, 23, 80, 443], connectTimeoutMs: 150, concurrency: 4, connector: hanging });
    const took = performance.now() - started;
    expect(rs.map((r) => r.state)).toEqual(['filtered', 'filtered', 'filtered', 'filtered']);
    expect(took).toBeLessThan(400); // 4 ports in parallel, one timeout each
  });

  it('the real connector: aborted signal and refused port map to typed errors', async () => {
    const s = await serve(() => undefined);
    const conn = createTcpConnector();
    const ac = new AbortController();
    ac.abort();
    await expect(conn.connect({ host: '127.0.0.1', port: s.port, timeoutMs: 1000, signal: ac.signal })).rejects.toMatchObject({ code: 'MIIO_ERR_ABORTED' });
    await new Promise((r) => servers.pop()!.close(r));
    await expect(conn.connect({ host: '127.0.0.1', port: s.port, timeoutMs: 1000 })).rejects.toMatchObject({ code: 'MIIO_ERR_TCP_REFUSED' });
  });

  it('abort mid-banner returns promptly with what was read', async () => {
    const s = await serve((sock) => sock.write('partial '));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await probeAs(40004, s, { bannerTimeoutMs: 5000, signal: ac.signal });
    expect(r.read?.stop).toBe('aborted');
    expect(r.banner).toBe('partial ');
    expect(r.elapsedMs).toBeLessThan(1000);
  });

  it('already aborted: every port is an error result, no sockets opened', async () => {
    const ac = new AbortController();
    ac.abort();
    let connects = 0;
    const connector: TcpConnector = { connect: () => (connects++, Promise.reject(new Error('x'))) };
    const rs = await probePorts({ ip: '127.0.0.1', ports: [22, 80], signal: ac.signal, connector });
    expect(rs.map((r) => r.error?.code)).toEqual(['MIIO_ERR_ABORTED', 'MIIO_ERR_ABORTED']);
    expect(connects).toBe(0);
  });

  it('results keep input order under concurrency; bad ports are error results', async () => {
    const a = await serve((sock) => sock.write('SSH-2.0-a\r\n'));
    const ports = [a.port, 0, 70000, a.port];
    const rs = await probePorts({ ip: '127.0.0.1', ports, concurrency: 3, bannerTimeoutMs: 500 });
    expect(rs.map((r) => r.port)).toEqual(ports);
    expect(rs.map((r) => r.state)).toEqual(['open', 'error', 'error', 'open']);
    expect(rs[1]!.error?.code).toBe('MIIO_ERR_BAD_PORTS');
    expect(rs[0]!.service).toBe('ssh');
  });
});
