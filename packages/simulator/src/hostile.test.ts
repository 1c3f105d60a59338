import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { Token, buildRequest, decodeHelloReply, decodePacket, encodeHello, encodePacket, encodePayload } from '@xmscan/miio-probe/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_UDP_PAYLOAD, deepInfoReply, deepLevelsThatFit, jumboDatagram, mdnsFloodPackets, randomReply, requestOf, streamHead } from './hostile.js';
import { mayTarget } from './hostile-runtime.js';
import { loadProfiles } from './load-profiles.js';
import { type DeviceProfile, type ProfileSet, ProfileError, validateProfileSet } from './profile.js';
import { type RunningSimulator, startSimulator } from './simulator.js';

/**
 * Hostile simulator (issue 8). Real sockets only on 127.0.0.23x unicast, multicast off: safe in the
 * machine's own namespace. The lab acceptance lives in test/lab/hostile.test.ts.
 */

const base = (name: string, did: number, address: string, extra: Partial<DeviceProfile>): DeviceProfile => ({
  name, model: 'chuangmi.plug.m1', did, token: 'a1'.repeat(16), mac: '28:6C:07:AA:00:01', address, fw_ver: '1.2.4_16', hw_ver: 'MW300', ...extra,
});

describe('hostile builders', () => {
  const p = base('x', 71000001, '127.0.0.1', {});

  it('jumbo datagram is the largest UDP/IPv4 payload and looks like miIO', () => {
    const j = jumboDatagram(p);
    expect(j.length).toBe(MAX_UDP_PAYLOAD);
    expect(j.readUInt16BE(0)).toBe(0x2131);
    expect(j.readUInt16BE(2)).toBe(0xffff);
  });

  it('random replies are 1-1024 bytes', () => {
    for (let i = 0; i < 200; i++) {
      const r = randomReply();
      expect(r.length).toBeGreaterThanOrEqual(1);
      expect(r.length).toBeLessThanOrEqual(1024);
    }
  });

  it('deep miIO.info: as deep as one datagram allows, and still a valid encrypted packet', () => {
    expect(deepLevelsThatFit(10, 1)).toBe(10);
    const { packet, levels } = deepInfoReply(p, 5, 123456, 100_000);
    expect(levels).toBeGreaterThan(32_000);
    expect(levels).toBeLessThan(100_000); // 100 000 levels need 200 kB: no datagram carries that
    expect(packet.length).toBeLessThanOrEqual(MAX_UDP_PAYLOAD);
    const payload = decodePacket(Token.fromHex(p.token), packet).payload!.toString('utf8');
    expect(payload.startsWith(`{"id":123456,"result":${'['.repeat(10)}`)).toBe(true);
    expect(payload.length).toBe(`{"id":123456,"result":}`.length + 2 * levels);
  });

  it('requestOf reads the id and method of a request, null for junk or a wrong token', () => {
    const t = Token.fromHex(p.token);
    const req = encodePacket(t, { deviceId: 1, stamp: 2, payload: encodePayload(buildRequest(42, 'miIO.info', [])) });
    expect(requestOf(t, req)).toEqual({ id: 42, method: 'miIO.info' });
    expect(requestOf(Token.fromHex('b2'.repeat(16)), req)).toBeNull();
    expect(requestOf(t, Buffer.from('junk'))).toBeNull();
  });

  it('mDNS flood: the asked-for number of records, in packets of at most 9000 bytes', () => {
    const packets = mdnsFloodPackets(p, '10.213.0.9', 4000);
    let records = 0;
    for (const pkt of packets) {
      expect(pkt.length).toBeLessThanOrEqual(9000);
      records += pkt.readUInt16BE(6) + pkt.readUInt16BE(10);
    }
    expect(records).toBe(4000);
  });

  it('stream head declares the whole body', () => {
    expect(streamHead(100 * 1024 * 1024).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 104857600\r\n[\s\S]*\r\n\r\n$/);
  });

  it('bursts go only to loopback or the device /24', () => {
    expect(mayTarget('10.213.0.17', '10.213.0.1')).toBe(true);
    expect(mayTarget('127.0.0.5', '127.0.0.1')).toBe(true);
    expect(mayTarget('10.213.0.17', '192.0.2.2')).toBe(false);
    expect(mayTarget('10.213.0.17', '10.213.1.1')).toBe(false);
  });
});

describe('hostile profiles', () => {
  it('the built-in hostile set validates and holds every behaviour', () => {
    const set = loadProfiles('hostile');
    const behaviours = set.devices.map((d) => d.hostile?.miio).filter(Boolean);
    expect(behaviours.sort()).toEqual(['deep-info', 'flood', 'jumbo', 'other-source', 'random']);
    expect(set.devices.some((d) => d.hostile?.tcp?.some((t) => t.behaviour === 'trickle'))).toBe(true);
    expect(set.devices.some((d) => d.hostile?.tcp?.some((t) => t.behaviour === 'stream'))).toBe(true);
    expect(set.devices.some((d) => (d.hostile?.mdnsRecords ?? 0) >= 1000)).toBe(true);
    const dids = set.devices.map((d) => d.did);
    expect(new Set(dids).size).toBeLessThan(dids.length); // the twins share one did
  });

  it('rejects broken hostile sections, all issues at once', () => {
    const bad = {
      devices: [
        base('a', 1, '127.0.0.1', { miio: {}, hostile: { miio: 'flood' } }),
        base('b', 2, '127.0.0.2', { hostile: { miio: 'other-source' } }),
        base('c', 3, '127.0.0.3', { hostile: { miio: 'nope' as never, floodPerSecond: 0, tcp: [{ port: 22, behaviour: 'x' as never }] } }),
      ],
    };
    try {
      validateProfileSet(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProfileError);
      const issues = (e as ProfileError).issues.join('\n');
      expect(issues).toMatch(/devices\[0\]\.hostile\.miio: replaces the honest miio responder/);
      expect(issues).toMatch(/devices\[1\]\.hostile\.otherSource/);
      expect(issues).toMatch(/devices\[2\]\.hostile\.miio: must be one of/);
      expect(issues).toMatch(/devices\[2\]\.hostile\.floodPerSecond/);
      expect(issues).toMatch(/devices\[2\]\.hostile\.tcp\[0\]\.behaviour/);
    }
  });
});

describe('hostile runtime on loopback', () => {
  const SET: ProfileSet = {
    source: 'unit-hostile',
    devices: [
      base('flood', 71000001, '127.0.0.231', { hostile: { miio: 'flood', floodPerSecond: 12_000, floodSeconds: 1 } }),
      base('deep', 71000010, '127.0.0.232', { token: 'aa'.repeat(16), hostile: { miio: 'deep-info' } }),
      base('tcp', 71000007, '127.0.0.233', { hostile: { tcp: [{ port: 2223, behaviour: 'trickle', banner: 'SSH-2.0-x\r\n' }, { port: 8088, behaviour: 'stream', bytes: 1_000_000 }] } }),
    ],
  };
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ profiles: SET, loopbackMulticast: false });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('floods the asking peer at ≥ 10 000 datagrams per second', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    sock.setRecvBufferSize(8 * 1024 * 1024);
    let got = 0;
    let first = 0;
    let last = 0;
    sock.on('message', (m) => {
      if (m.length !== 32) return;
      if (got === 0) first = performance.now();
      last = performance.now();
      got++;
    });
    sock.send(encodeHello(), 54321, '127.0.0.231');
    await new Promise((r) => setTimeout(r, 1600));
    sock.close();
    const rate = (got / Math.max(1, last - first)) * 1000;
    expect(got).toBeGreaterThan(10_000);
    expect(rate).toBeGreaterThanOrEqual(10_000);
  });

  it('deep-info: leaks the token, then answers miIO.info with ~32 700 levels', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    sock.send(encodeHello(), 54321, '127.0.0.232');
    await new Promise((r) => setTimeout(r, 200));
    const hello = decodeHelloReply(replies[0]!);
    expect(hello.tokenField).toBe('exposed');
    const t = hello.token!;
    sock.send(encodePacket(t, { deviceId: hello.deviceId, stamp: hello.stamp, payload: encodePayload(buildRequest(7, 'miIO.info', [])) }), 54321, '127.0.0.232');
    await new Promise((r) => setTimeout(r, 300));
    sock.close();
    const info = replies.find((r) => r.length > 1000)!;
    expect(info.length).toBeGreaterThan(60_000);
    expect(decodePacket(t, info).payload!.toString('utf8')).toMatch(/^\{"id":7,"result":\[\[\[\[/);
  });

  it('trickles one byte per second and streams the declared body with backpressure', async () => {
    const trickled = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const c = connect(2223, '127.0.0.233');
      c.on('data', (d) => chunks.push(d));
      setTimeout(() => {
        c.destroy();
        resolve(Buffer.concat(chunks));
      }, 2300);
    });
    expect(trickled.toString('latin1')).toBe('SSH'); // t = 0, 1 s, 2 s
    const streamed = await new Promise<number>((resolve) => {
      let n = 0;
      const c = connect(8088, '127.0.0.233', () => c.write('GET / HTTP/1.0\r\n\r\n'));
      c.on('data', (d) => (n += d.length));
      c.on('close', () => resolve(n));
    });
    expect(streamed).toBe(streamHead(1_000_000).length + 1_000_000);
  });
});
