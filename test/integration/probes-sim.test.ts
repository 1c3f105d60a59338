/**
 * Port/banner and ecosystem probes against the simulated demo home (startSimulator('demo'), each
 * device on its own 127.0.0.x). Ground truth: the manifest and the profile set. Multicast off:
 * every probe here is unicast to loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, type ProfileSet, type RequestRecord, loadProfiles, startSimulator } from '@xmscan/simulator';
// Until the miio-probe barrel re-exports the probes, import them from source.
import {
  familyForModel,
  portsForFamily,
  probeLumiGateway,
  probePorts,
  probeRouterInitInfo,
  probeValetudo,
  probeYeelight,
  type PortResult,
} from '../../packages/miio-probe/src/probes/index.js';

let sim: { manifest: Manifest; requests: RequestRecord[]; stop(): Promise<void> };
let profiles: ProfileSet;
/** A loopback address no simulated device uses: anything open there is a machine-wide listener. */
const CONTROL = '127.0.0.254';
let machineWide: Set<number>;

const OPTS = { connectTimeoutMs: 500, bannerTimeoutMs: 800, maxBannerBytes: 4096, concurrency: 8 } as const;

beforeAll(async () => {
  profiles = loadProfiles('demo');
  sim = await startSimulator({ profiles: 'demo', loopbackMulticast: false });
  const all = new Set<number>();
  for (const d of sim.manifest.devices) for (const p of [...portsForFamily(familyForModel(d.model)), ...d.tcpPorts]) all.add(p);
  const control = await probePorts({ ip: CONTROL, ports: [...all], ...OPTS });
  machineWide = new Set(control.filter((r) => r.open).map((r) => r.port));
});

afterAll(async () => {
  await sim?.stop();
});

const profileOf = (name: string) => profiles.devices.find((d) => d.name === name)!;

describe('ports and banners match the demo profile', () => {
  it('every simulated listener is found open with the right service and banner; nothing else is open', async () => {
    let checked = 0;
    for (const dev of sim.manifest.devices) {
      const ports = [...new Set([...portsForFamily(familyForModel(dev.model)), ...dev.tcpPorts])].sort((a, b) => a - b);
      const results = await probePorts({ ip: dev.address, ports, ...OPTS });
      const open = results.filter((r) => r.open && !machineWide.has(r.port)).map((r) => r.port);
      expect(open, dev.name).toEqual(dev.tcpPorts.filter((p) => !machineWide.has(p)));
      const byPort = new Map<number, PortResult>(results.map((r) => [r.port, r]));
      for (const l of profileOf(dev.name).tcp ?? []) {
        const r = byPort.get(l.port)!;
        const where = `${dev.name}:${l.port}`;
        expect(r.state, where).toBe('open');
        checked++;
        switch (l.service) {
          case 'ssh':
            expect(r.service, where).toBe('ssh');
            expect(r.banner, where).toBe(`${l.banner}\n`);
            expect(r.details, where).toMatchObject({ kind: 'ssh', software: l.banner!.split('-').slice(2).join('-') });
            break;
          case 'telnet': {
            expect(r.service, where).toBe('telnet');
            expect(r.details, where).toMatchObject({ kind: 'telnet', promptSeen: true });
            const host = /(\S+) login:/.exec(l.banner ?? '')?.[1];
            if (host && host !== '(none)') expect(r.details, where).toMatchObject({ hostname: host });
            break;
          }
          case 'http':
            expect(r.service, where).toBe('http');
            expect(r.details, where).toMatchObject({ kind: 'http', status: l.status ?? 200 });
            if (l.server) expect(r.details, where).toMatchObject({ server: l.server });
            if (l.title) expect(r.details, where).toMatchObject({ title: l.title });
            break;
          case 'rtsp':
            expect(r.service, where).toBe('rtsp');
            expect(r.details, where).toMatchObject({ kind: 'rtsp', status: 200, authRequired: Boolean(l.auth), describe: { status: l.auth ? 401 : 200, sdp: !l.auth } });
            if (l.server) expect(r.details, where).toMatchObject({ server: l.server });
            break;
          case 'mqtt':
            expect(r.service, where).toBe('mqtt');
            expect(r.details, where).toMatchObject({ kind: 'mqtt', returnCode: l.connack ?? 0, anonymous: (l.connack ?? 0) === 0 });
            break;
          default:
            break;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('Yeelight LAN control port is open only where the profile enables it', async () => {
    for (const dev of sim.manifest.devices) {
      const [r] = await probePorts({ ip: dev.address, ports: [55443], ...OPTS });
      expect(r!.open, dev.name).toBe(dev.yeelight);
    }
  });
});

describe('ecosystem probes match the demo profile', () => {
  it('Yeelight get_prop on the bulb; refused elsewhere', async () => {
    for (const dev of sim.manifest.devices) {
      const r = await probeYeelight({ ip: dev.address, connectTimeoutMs: 500, timeoutMs: 1000 });
      if (dev.yeelight) {
        const state = (profileOf(dev.name).yeelight as { state?: Record<string, string> }).state ?? {};
        expect(r).toEqual({ ok: true, value: { lanControl: true, power: state['power'] ?? 'on', ...(state['name'] ? { name: state['name'] } : {}) } });
      } else {
        expect(r.ok ? null : r.error.code, dev.name).toBe('MIIO_ERR_TCP_REFUSED');
      }
    }
  });

  it('router init_info: fields from the profile, serial masked and flagged', async () => {
    const routers = sim.manifest.devices.filter((d) => d.router);
    expect(routers.length).toBeGreaterThan(0);
    for (const dev of routers) {
      const rp = profileOf(dev.name).router!;
      const r = await probeRouterInitInfo({ ip: dev.address, connectTimeoutMs: 500, timeoutMs: 1500 });
      expect(r.ok, dev.name).toBe(true);
      if (!r.ok) continue;
      expect(r.value).toMatchObject({ path: '/cgi-bin/luci/api/xqsystem/init_info', hardware: rp.hardware, romversion: rp.romversion, model: dev.model, inited: true, serialExposed: true });
      expect(r.value.serialMasked).toBe(`${rp.serial.slice(0, 3)}**********${rp.serial.slice(-2)}`);
      expect(JSON.stringify(r)).not.toContain(rp.serial);
    }
    // A non-router HTTP device has no init_info.
    const vacuum = sim.manifest.devices.find((d) => d.name === 'vacuum')!;
    const nr = await probeRouterInitInfo({ ip: vacuum.address, connectTimeoutMs: 500, timeoutMs: 1500 });
    expect(nr.ok ? null : nr.error.code).toBe('MIIO_ERR_PROBE_NOT_FOUND');
  });

  it('Lumi gateway read by sid (multicast whois is off in loopback mode); silent elsewhere', async () => {
    for (const dev of sim.manifest.devices) {
      const sid = dev.mac.replace(/:/g, '').toLowerCase();
      const r = await probeLumiGateway({ ip: dev.address, sid, timeoutMs: dev.lumiGateway ? 1000 : 150, bindAddress: '127.0.0.1' });
      if (dev.lumiGateway) {
        const g = profileOf(dev.name).lumiGateway!;
        expect(r.ok, dev.name).toBe(true);
        if (r.ok) expect(r.value.read).toMatchObject({ cmd: 'read_ack', sid, model: g.model ?? 'gateway', data: { proto_version: g.proto_version ?? '1.1.2' } });
      } else {
        expect(r.ok ? null : r.error.code, dev.name).toBe('MIIO_ERR_PROBE_TIMEOUT');
      }
    }
  });

  it('Valetudo API is not simulated: typed NOT_FOUND, not a crash', async () => {
    const vacuum = sim.manifest.devices.find((d) => d.name === 'vacuum')!;
    const r = await probeValetudo({ ip: vacuum.address, connectTimeoutMs: 500, timeoutMs: 1000 });
    expect(r.ok ? null : r.error.code).toBe('MIIO_ERR_PROBE_NOT_FOUND');
  });
});

describe('read-only', () => {
  it('every request the simulated devices logged from these probes is read-only', () => {
    const probeRecords = sim.requests.filter((r) => r.proto !== 'miio' && r.proto !== 'mdns');
    expect(probeRecords.length).toBeGreaterThan(20);
    expect(probeRecords.filter((r) => !r.readOnly).map((r) => `${r.device} ${r.kind}`)).toEqual([]);
    const kinds = new Set(probeRecords.map((r) => r.kind));
    for (const k of ['mqtt:CONNECT', 'mqtt:DISCONNECT', 'rtsp:OPTIONS', 'rtsp:DESCRIBE', 'get_prop', 'read']) expect(kinds).toContain(k);
  });
});
