import { createSocket } from 'node:dgram';
import { readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Token, buildRequest, decodeHelloReply, decodePacket, decodePayload, encodeHello, encodePacket, encodePayload } from '@xmscan/miio-probe/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileSet } from './profile.js';
import type { RequestRecord } from './request-log.js';
import { type RunningSimulator, startSimulator } from './simulator.js';

/**
 * Real sockets, unicast only on 127.0.0.2xx (multicast responders off), so this file is safe in
 * the machine's own network namespace. Multicast paths are covered in test/integration.
 */

const T = {
  plug: 'a3f19c0d5e7b2846c1d09e8f7a6b5c4d',
  bulb: '5b8e2f71c9a04d36e1f7a2b8c3d4e5f6',
  gw: '9c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f',
  slow: '0f1e2d3c4b5a69788796a5b4c3d2e1f0',
};

const SET: ProfileSet = {
  source: 'unit',
  devices: [
    {
      name: 'plug', model: 'cuco.plug.v3', did: 575059092, token: T.plug, mac: '68:AB:BC:E6:21:5E', address: '127.0.0.201',
      fw_ver: '1.0.7', hw_ver: 'ESP32C3', mcu_fw_ver: '0018', miio: { stampStart: 4098901 },
      tcp: [{ port: 2222, service: 'ssh', banner: 'SSH-2.0-dropbear_2019.78' }, { port: 8080, service: 'http', server: 'nginx/1.14', title: 'Plug', status: 200 }],
    },
    {
      name: 'bulb', model: 'yeelink.light.color1', did: 1393220, token: T.bulb, mac: 'F8:24:41:3C:5E:7A', address: '127.0.0.202',
      fw_ver: '2.0.6_0065', hw_ver: 'esp8266', miio: {}, yeelight: { model: 'color', fw_ver: '65', lanControl: true },
    },
    {
      name: 'router', model: 'xiaomi.router.rb03', did: 0, token: '1'.repeat(32), mac: '8C:DE:F9:12:78:D6', address: '127.0.0.203',
      fw_ver: '1.0.54', hw_ver: 'RB03', tcp: [{ port: 8081, service: 'http', server: 'nginx' }],
      router: { hardware: 'RB03', romversion: '1.0.54', serial: '36418/J1VT25382' },
    },
    {
      name: 'gw', model: 'lumi.gateway.v3', did: 56782504, token: T.gw, mac: '34:CE:00:88:91:49', address: '127.0.0.204',
      fw_ver: '1.4.1_170', hw_ver: 'MW300', miio: { wrongTokenReply: 'ff-header' }, lumiGateway: { proto_version: '1.1.2' },
      tcp: [{ port: 2323, service: 'telnet', banner: '\r\nrlxlinux login: ' }, { port: 8554, service: 'rtsp', server: 'LIVE555' }, { port: 18830, service: 'mqtt', connack: 0 }],
    },
    {
      name: 'slow', model: 'chuangmi.plug.m1', did: 60001234, token: T.slow, mac: '28:6C:07:FF:11:22', address: '127.0.0.205',
      fw_ver: '1.2.4_16', hw_ver: 'MW300', miio: { replyDelayMs: 250 },
    },
  ],
};

const logFile = join(tmpdir(), `xmsim-unit-${process.pid}.jsonl`);
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ profiles: SET, logFile, loopbackMulticast: false });
});
afterAll(async () => {
  await sim?.stop();
  rmSync(logFile, { force: true });
});

async function udp(address: string, port: number, data: Buffer, waitMs = 600): Promise<{ msg: Buffer; ms: number; from: string } | null> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.close();
      resolve(null);
    }, waitMs);
    s.once('message', (msg, rinfo) => {
      clearTimeout(timer);
      s.close();
      resolve({ msg, ms: Date.now() - t0, from: `${rinfo.address}:${rinfo.port}` });
    });
    s.send(data, port, address);
  });
}

function tcp(address: string, port: number, send?: string | Buffer, waitMs = 300): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(port, address);
    let buf = '';
    c.on('data', (d) => (buf += d.toString('latin1')));
    c.on('connect', () => {
      if (send !== undefined) c.write(send);
    });
    c.on('error', reject);
    c.on('close', () => resolve(buf));
    setTimeout(() => c.destroy(), waitMs);
  });
}

function miio(token: string, did: number, method: string, id: number, stamp: number, params: unknown[] = []): Buffer {
  return encodePacket(Token.fromHex(token), { deviceId: did, stamp, payload: encodePayload(buildRequest(id, method, params as never)) });
}

describe('miIO over real UDP on 127.0.0.x', () => {
  it('answers hello from the device address with did and stamp', async () => {
    const r = await udp('127.0.0.201', 54321, encodeHello());
    expect(r).not.toBeNull();
    expect(r!.from).toBe('127.0.0.201:54321');
    const h = decodeHelloReply(r!.msg);
    expect(h.deviceId).toBe(575059092);
    expect(h.stamp).toBeGreaterThanOrEqual(4098901);
    expect(h.tokenField).toBe('hidden');
  });

  it('answers miIO.info encrypted with the device token, echoing the id', async () => {
    const hello = decodeHelloReply((await udp('127.0.0.201', 54321, encodeHello()))!.msg);
    const r = await udp('127.0.0.201', 54321, miio(T.plug, hello.deviceId, 'miIO.info', 321, hello.stamp + 1));
    const v = decodePayload(decodePacket(Token.fromHex(T.plug), r!.msg).payload!).value as { id: number; result: Record<string, unknown> };
    expect(v.id).toBe(321);
    expect(v.result).toMatchObject({ model: 'cuco.plug.v3', fw_ver: '1.0.7', hw_ver: 'ESP32C3', mac: '68:AB:BC:E6:21:5E', netif: { localIp: '127.0.0.201' } });
  });

  it('is silent for a wrong token, or sends an ff header when the profile says so', async () => {
    expect(await udp('127.0.0.201', 54321, miio('00'.repeat(16), 575059092, 'miIO.info', 5, 1), 400)).toBeNull();
    const ff = await udp('127.0.0.204', 54321, miio('00'.repeat(16), 56782504, 'miIO.info', 5, 1));
    expect(ff!.msg.length).toBe(32);
    expect(ff!.msg.subarray(16).toString('hex')).toBe('ff'.repeat(16));
  });

  it('delays replies by replyDelayMs', async () => {
    const r = await udp('127.0.0.205', 54321, encodeHello(), 2000);
    expect(r).not.toBeNull();
    expect(r!.ms).toBeGreaterThanOrEqual(240);
  });
});

describe('TCP banners and ecosystem endpoints', () => {
  it('ssh, telnet, http, rtsp, mqtt', async () => {
    expect(await tcp('127.0.0.201', 2222)).toBe('SSH-2.0-dropbear_2019.78\r\n');
    expect(await tcp('127.0.0.204', 2323)).toBe('\r\nrlxlinux login: ');
    const http = await tcp('127.0.0.201', 8080, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(http).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(http).toContain('Server: nginx/1.14');
    expect(http).toContain('<title>Plug</title>');
    const rtsp = await tcp('127.0.0.204', 8554, 'OPTIONS rtsp://127.0.0.204:8554/ RTSP/1.0\r\nCSeq: 1\r\n\r\n');
    expect(rtsp).toMatch(/^RTSP\/1\.0 200 OK\r\n/);
    expect(rtsp).toMatch(/\r\nPublic: OPTIONS, DESCRIBE/);
    expect(rtsp).toContain('\r\nServer: LIVE555\r\n');
    const mqtt = await tcp('127.0.0.204', 18830, Buffer.from('101000044d5154540402003c000461626364', 'hex'));
    expect(Buffer.from(mqtt, 'latin1').toString('hex')).toBe('20020000');
  });

  it('yeelight answers get_prop on 55443 and refuses set_power', async () => {
    const out = await tcp('127.0.0.202', 55443, '{"id":1,"method":"get_prop","params":["power","bright"]}\r\n{"id":2,"method":"set_power","params":["off"]}\r\n');
    const [a, b] = out.trim().split('\r\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(a).toEqual({ id: 1, result: ['on', '50'] });
    expect(b).toMatchObject({ id: 2, error: { code: -1 } });
  });

  it('router serves init_info on both paths', async () => {
    for (const path of ['/cgi-bin/luci/api/xqsystem/init_info', '/api/xqsystem/init_info']) {
      const out = await tcp('127.0.0.203', 8081, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.203\r\n\r\n`);
      expect(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 0, hardware: 'RB03', romversion: '1.0.54', id: '36418/J1VT25382' });
    }
  });

  it('lumi gateway answers read on UDP 9898 with proto_version', async () => {
    const r = await udp('127.0.0.204', 9898, Buffer.from('{"cmd":"read","sid":"34ce00889149"}'));
    const ack = JSON.parse(r!.msg.toString()) as { cmd: string; data: string };
    expect(ack.cmd).toBe('read_ack');
    expect(JSON.parse(ack.data)).toMatchObject({ proto_version: '1.1.2' });
  });
});

describe('request log', () => {
  it('marks read-only and state-changing requests and never writes the token', async () => {
    await udp('127.0.0.201', 54321, miio(T.plug, 575059092, 'set_power', 77, 4098950, ['off']));
    await udp('127.0.0.204', 9898, Buffer.from('{"cmd":"write","sid":"34ce00889149","data":"{}","key":"00"}'));
    const text = readFileSync(logFile, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as RequestRecord);
    expect(lines.length).toBe(sim.requests.length);
    const find = (device: string, kind: string) => lines.find((l) => l.device === device && l.kind === kind);
    expect(find('plug', 'miIO.info')).toMatchObject({ proto: 'miio', readOnly: true, from: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(find('plug', 'set_power')).toMatchObject({ proto: 'miio', readOnly: false, detail: { id: 77, method: 'set_power' } });
    expect(find('bulb', 'set_power')).toMatchObject({ proto: 'yeelight', readOnly: false });
    expect(find('bulb', 'get_prop')).toMatchObject({ proto: 'yeelight', readOnly: true });
    expect(find('gw', 'write')).toMatchObject({ proto: 'lumi', readOnly: false });
    expect(find('router', 'GET /cgi-bin/luci/api/xqsystem/init_info')).toMatchObject({ proto: 'http', readOnly: true });
    expect(lines.every((l) => typeof l.ts === 'string' && !Number.isNaN(Date.parse(l.ts)))).toBe(true);
    for (const t of Object.values(T)) expect(text).not.toContain(t);
  });
});

describe('manifest, safety and lifecycle', () => {
  it('describes every device', () => {
    const plug = sim.manifest.devices.find((d) => d.name === 'plug')!;
    expect(plug).toMatchObject({ address: '127.0.0.201', port: 54321, did: 575059092, model: 'cuco.plug.v3', fw_ver: '1.0.7', token: T.plug, leaksToken: false, answersBroadcast: true, answersInfo: true, tcpPorts: [2222, 8080] });
    expect(sim.manifest.devices.find((d) => d.name === 'router')).toMatchObject({ port: null, router: true, tcpPorts: [8081] });
    expect(sim.manifest.devices.find((d) => d.name === 'bulb')).toMatchObject({ yeelight: true, tcpPorts: [55443] });
  });

  it('refuses a non-loopback address without --interface, before binding anything', async () => {
    await expect(startSimulator({ profiles: SET, only: ['plug'], address: '192.0.2.77' })).rejects.toMatchObject({ code: 'SIM_ERR_UNSAFE' });
  });

  it('fails with SIM_ERR_BIND on a taken address and leaves nothing half-open', async () => {
    await expect(startSimulator({ profiles: SET, only: ['router'], loopbackMulticast: false })).rejects.toMatchObject({ code: 'SIM_ERR_BIND' });
    // The running instance still answers.
    expect(await udp('127.0.0.201', 54321, encodeHello())).not.toBeNull();
  });

  it('stop() closes every socket so the addresses can be reused', async () => {
    const one: ProfileSet = { devices: [{ ...SET.devices[0]!, address: '127.0.0.210' }] };
    const a = await startSimulator({ profiles: one, loopbackMulticast: false });
    await a.stop();
    await a.stop();
    const b = await startSimulator({ profiles: one, loopbackMulticast: false });
    expect(await tcp('127.0.0.210', 2222)).toContain('SSH-2.0');
    await b.stop();
    expect(await udp('127.0.0.210', 54321, encodeHello(), 300)).toBeNull();
  });
});
