import { describe, expect, it } from 'vitest';
import type { DeviceProfile, TcpListenerProfile } from './profile.js';
import { createSession } from './tcp-sessions.js';

const device: DeviceProfile = {
  name: 'router', model: 'xiaomi.router.rb03', did: 0, token: '0'.repeat(32), mac: '8C:DE:F9:12:78:D6', fw_ver: '1.0.54', hw_ver: 'RB03',
  router: { hardware: 'RB03', romversion: '1.0.54', serial: '36418/J1VT25382' },
};

function run(l: TcpListenerProfile, ...chunks: (string | Buffer)[]) {
  const s = createSession(l, device, '127.0.0.30');
  const steps = [s.open(), ...chunks.map((c) => s.onData(typeof c === 'string' ? Buffer.from(c, 'latin1') : c))];
  return {
    out: Buffer.concat(steps.flatMap((x) => x.writes)).toString('latin1'),
    closed: steps.some((x) => x.close),
    records: steps.flatMap((x) => x.records),
  };
}

describe('banner services', () => {
  it('ssh sends an RFC 4253 version line and logs the client version read-only', () => {
    const r = run({ port: 22, service: 'ssh', banner: 'SSH-2.0-dropbear_2019.78' }, 'SSH-2.0-xmscan\r\n');
    expect(r.out).toBe('SSH-2.0-dropbear_2019.78\r\n');
    expect(r.records.map((x) => [x.kind, x.readOnly])).toEqual([['ssh:connect', true], ['ssh:client-version', true]]);
  });

  it('telnet shows the login prompt; typing into it is not read-only', () => {
    const r = run({ port: 23, service: 'telnet', banner: '\r\nrlxlinux login: ' }, 'root\r\n');
    expect(r.out.startsWith('\r\nrlxlinux login: ')).toBe(true);
    expect(r.records.find((x) => x.kind === 'telnet:input')?.readOnly).toBe(false);
  });
});

describe('http', () => {
  it('serves a status line, Server header and <title>', () => {
    const r = run({ port: 80, service: 'http', server: 'lighttpd/1.4.45', title: 'MiiCam', status: 200 }, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.out).toContain('Server: lighttpd/1.4.45\r\n');
    expect(r.out).toContain('<title>MiiCam</title>');
    expect(r.closed).toBe(true);
    expect(r.records.find((x) => x.proto === 'http')).toMatchObject({ kind: 'GET /', readOnly: true });
  });

  it('answers the router init_info on both paths (§5.4), split across chunks', () => {
    for (const path of ['/cgi-bin/luci/api/xqsystem/init_info', '/api/xqsystem/init_info']) {
      const r = run({ port: 80, service: 'http' }, `GET ${path} HT`, 'TP/1.1\r\n\r\n');
      const body = JSON.parse(r.out.slice(r.out.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
      expect(body).toMatchObject({ code: 0, hardware: 'RB03', romversion: '1.0.54', id: '36418/J1VT25382', model: 'xiaomi.router.rb03' });
    }
  });

  it('refuses POST with 405 and logs it as not read-only', () => {
    const r = run({ port: 80, service: 'http' }, 'POST /cgi-bin/luci/api/xqsystem/login HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
    expect(r.out).toMatch(/^HTTP\/1\.1 405 /);
    expect(r.records.find((x) => x.proto === 'http')?.readOnly).toBe(false);
  });

  it('answers 400 to junk and oversized heads', () => {
    expect(run({ port: 80, service: 'http' }, 'HELLO\r\n\r\n').out).toMatch(/^HTTP\/1\.1 400 /);
    expect(run({ port: 80, service: 'http' }, 'A'.repeat(9000)).out).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe('rtsp', () => {
  it('answers OPTIONS with RTSP/1.0 200, CSeq, Public and Server', () => {
    const r = run({ port: 554, service: 'rtsp', server: 'LIVE555 Streaming Media v2016.11.28' }, 'OPTIONS rtsp://127.0.0.30/ RTSP/1.0\r\nCSeq: 3\r\n\r\n');
    expect(r.out).toMatch(/^RTSP\/1\.0 200 OK\r\n/);
    expect(r.out).toContain('CSeq: 3\r\n');
    expect(r.out).toMatch(/Public: OPTIONS, DESCRIBE/);
    expect(r.out).toContain('Server: LIVE555 Streaming Media v2016.11.28');
  });

  it('challenges DESCRIBE when auth is on', () => {
    const r = run({ port: 554, service: 'rtsp', auth: true }, 'DESCRIBE rtsp://x/ RTSP/1.0\r\nCSeq: 4\r\n\r\n');
    expect(r.out).toMatch(/^RTSP\/1\.0 401 Unauthorized/);
    expect(r.out).toContain('WWW-Authenticate: Digest');
  });
});

describe('mqtt', () => {
  const connect = Buffer.from('101000044d5154540402003c000461626364', 'hex');
  it('answers CONNECT with CONNACK carrying the profile return code', () => {
    expect(Buffer.from(run({ port: 1883, service: 'mqtt', connack: 0 }, connect).out, 'latin1').toString('hex')).toBe('20020000');
    const refused = run({ port: 1883, service: 'mqtt', connack: 5 }, connect);
    expect(Buffer.from(refused.out, 'latin1').toString('hex')).toBe('20020005');
    expect(refused.closed).toBe(true);
    expect(refused.records.find((x) => x.kind === 'mqtt:CONNECT')?.detail['clientId']).toBe('abcd');
  });

  it('handles a CONNECT split byte by byte, and logs PUBLISH as not read-only', () => {
    const l: TcpListenerProfile = { port: 1883, service: 'mqtt' };
    const r = run(l, ...[...connect].map((b) => Buffer.from([b])), Buffer.from('300700037a2f78616263', 'hex').subarray(0, 9));
    expect(Buffer.from(r.out, 'latin1').toString('hex')).toBe('20020000');
    const p = run(l, connect, Buffer.from('3006000174616263', 'hex'));
    expect(p.records.find((x) => x.kind === 'mqtt:PUBLISH')?.readOnly).toBe(false);
  });
});
