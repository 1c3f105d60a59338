/**
 * auditDevice with fake probes (probes.ts is the injectable port): no sockets. Each case fixes what
 * the fake device does with the supplied and the leaked token, and asserts the token verdict, where
 * firmware came from, and the status of the token / info-dependent checks.
 */
import { describe, expect, it } from 'vitest';
import { ProbeError, Token, loadAdvisoryDatabaseSync, type MiioInfo, type PortResult, type TokenEntry } from '@xmscan/miio-probe';
import type { CheckRun } from '@xmscan/report';
import type { DeviceRecord } from '../discovery/merge.js';
import { silentLogger } from '../discovery/source.js';
import { auditDevice, type AuditSettings } from './audit-device.js';
import type { MiioSessionResult, ScanProbes } from './probes.js';

const advisories = loadAdvisoryDatabaseSync();
const REAL = Token.fromHex('00112233445566778899aabbccddeeff');
const OLD = Token.fromHex('ffeeddccbbaa99887766554433221100');
const IP = '10.9.0.21';
const DID = '277962183';

type InfoBehaviour = 'answer' | 'silence' | 'reject';
interface FakeDevice {
  /** Hello answered at all. */
  hello: boolean;
  leaks: boolean;
  /** What miIO.info does with the real token (a wrong token is always silence or reject). */
  info: InfoBehaviour;
  wrongToken: 'silence' | 'reject';
  model: string;
  fwVer: string;
}

const INFO = (d: FakeDevice): MiioInfo => ({
  model: d.model,
  fwVer: d.fwVer,
  hwVer: 'Linux',
  wifiFwVer: 'v3.1.4',
  mcuFwVer: '0001',
  ot: 'otu',
  uidPresent: false,
  token: { present: false, matches: null },
  otherFields: [],
  anomalies: [],
});

const TIMEOUT = { code: 'MIIO_ERR_TIMEOUT', message: 'no reply within 300 ms' };
const REJECTED = { code: 'MIIO_ERR_TOKEN_REJECTED', message: 'bare header: token rejected' };

function fakeProbes(d: FakeDevice, calls: { token: string | null }[] = []): ScanProbes {
  const fail = async () => ({ ok: false as const, error: new ProbeError('MIIO_ERR_PROBE_NOT_FOUND', 'fake: not probed') });
  return {
    async miio(o): Promise<MiioSessionResult> {
      calls.push({ token: o.token ? o.token.fingerprint : null });
      if (!d.hello) return { handshake: { ok: false, error: TIMEOUT } };
      const handshake: MiioSessionResult['handshake'] = {
        ok: true,
        value: {
          deviceId: Number(DID),
          deviceId64: BigInt(DID),
          stamp: 1213,
          unknown: 0,
          tokenField: d.leaks ? 'exposed' : 'hidden',
          hiddenAs: d.leaks ? null : 'ff',
          token: d.leaks ? REAL : null,
          receivedAt: Date.now(),
          rttMs: 1,
        } as never,
      };
      if (!o.token) return { handshake };
      const right = o.token.equals(REAL);
      const behaviour: InfoBehaviour = right ? d.info : d.wrongToken;
      if (behaviour === 'answer') return { handshake, info: { ok: true, value: INFO(d) } };
      return { handshake, info: { ok: false, error: { ...(behaviour === 'silence' ? TIMEOUT : REJECTED), helloAnswered: true } } };
    },
    ports: async () => [],
    yeelight: fail,
    lumi: fail,
    router: fail,
    valetudo: fail,
  };
}

function record(over: Partial<DeviceRecord> = {}): DeviceRecord {
  return {
    key: `did:${DID}`,
    ip: IP,
    mac: '24:9E:7D:21:43:65',
    vendor: 'Roborock',
    xiaomiFamily: 'strong',
    deviceId: DID,
    model: 'rockrobo.vacuum.v1',
    names: [],
    sources: ['hello-sweep'],
    hello: null,
    firmware: [],
    services: [],
    yeelight: null,
    lumi: null,
    conflicts: [],
    evidence: [],
    firstSeen: 0,
    lastSeen: 0,
    ...over,
  };
}

const entry = (token: Token): TokenEntry => ({ token, deviceId: DID, source: { file: 'tokens.json', format: 'native-json', index: 0 } as never });

function settings(probes: ScanProbes, tokens: TokenEntry[] = []): AuditSettings {
  return {
    probes,
    tokens,
    advisories,
    extraPorts: [],
    miioTimeoutMs: 300,
    miioRetries: 1,
    probeTimeoutMs: 300,
    connectTimeoutMs: 300,
    bannerTimeoutMs: 300,
    logger: silentLogger,
  };
}

const device = (over: Partial<FakeDevice> = {}): FakeDevice => ({
  hello: true,
  leaks: false,
  info: 'answer',
  wrongToken: 'silence',
  model: 'rockrobo.vacuum.v1',
  fwVer: '3.3.9_003060',
  ...over,
});

async function audit(d: FakeDevice, tokens: TokenEntry[] = [], rec: DeviceRecord = record(), calls: { token: string | null }[] = []) {
  const a = await auditDevice(rec, Promise.resolve<PortResult[]>([]), settings(fakeProbes(d, calls), tokens), new AbortController().signal);
  expect(a).not.toBeNull();
  const run = (id: string): CheckRun => {
    const r = a!.runs.find((x) => x.checkId === id);
    expect(r, id).toBeDefined();
    return r!;
  };
  return { ...a!, run };
}

describe('auditDevice (fake probes)', () => {
  it('leaked token that decrypts miIO.info: exposed-confirmed, critical finding, firmware from the leaked session', async () => {
    const calls: { token: string | null }[] = [];
    const a = await audit(device({ leaks: true }), [], record(), calls);
    expect(calls).toEqual([{ token: null }, { token: REAL.fingerprint }]);
    expect(a.device.token).toEqual({ state: 'exposed-confirmed', supplied: false, valid: null, fingerprint: REAL.fingerprint });
    expect(a.device.firmware).toEqual({ version: '3.3.9_003060', hardware: 'Linux', wifi: 'v3.1.4', mcu: '0001' });
    const f = a.findings.find((x) => x.checkId === 'miio-token-exposed');
    expect(f?.severity).toBe('critical');
    expect(a.run('miio-token-exposed').status).toBe('fail');
    // Secrets side channel has the raw token; the report does not.
    expect(a.secrets.token).toBe(REAL.revealHex());
    expect(JSON.stringify({ d: a.device, r: a.runs, f: a.findings })).not.toContain(REAL.revealHex());
  });

  it('leaked field that the device ignores (silence): exposed-unconfirmed, high not critical', async () => {
    const a = await audit(device({ leaks: true, info: 'silence' }));
    expect(a.device.token.state).toBe('exposed-unconfirmed');
    const f = a.findings.find((x) => x.checkId === 'miio-token-exposed');
    expect(f?.severity).toBe('high');
    expect(a.device.firmware).toBeNull();
  });

  it('hidden token + working supplied token: hidden, valid, firmware from the supplied session, one session only', async () => {
    const calls: { token: string | null }[] = [];
    const a = await audit(device(), [entry(REAL)], record(), calls);
    expect(calls).toEqual([{ token: REAL.fingerprint }]);
    expect(a.device.token).toEqual({ state: 'hidden', supplied: true, valid: true, fingerprint: REAL.fingerprint });
    expect(a.device.firmware?.version).toBe('3.3.9_003060');
    expect(a.run('miio-token-exposed').status).toBe('pass');
    expect(a.run('miio-token-stale').status).toBe('pass');
    // In an advisory range (XMSA-0037: rockrobo.vacuum.v1 before build 4004).
    expect(a.findings.some((x) => x.checkId === 'firmware-advisory' && (x.evidence as { advisory?: string }).advisory === 'XMSA-0037')).toBe(true);
  });

  it('supplied token explicitly rejected (bare header): stale, low finding, no firmware', async () => {
    const a = await audit(device({ wrongToken: 'reject' }), [entry(OLD)]);
    expect(a.device.token).toMatchObject({ state: 'hidden', supplied: true, valid: false, fingerprint: OLD.fingerprint });
    expect(a.run('miio-token-stale').status).toBe('fail');
    expect(a.findings.find((x) => x.checkId === 'miio-token-stale')?.severity).toBe('low');
    expect(a.device.firmware).toBeNull();
  });

  it('supplied token met with silence: unknown (null), never called stale; info checks skipped with the reason', async () => {
    const a = await audit(device({ wrongToken: 'silence' }), [entry(OLD)]);
    expect(a.device.token.valid).toBeNull();
    const stale = a.run('miio-token-stale');
    expect(stale.status).toBe('skipped');
    expect(stale.reason).toMatch(/MIIO_ERR_TIMEOUT/);
    expect(a.findings.some((x) => x.checkId === 'miio-token-stale')).toBe(false);
    expect(a.run('cloud-link')).toMatchObject({ status: 'skipped' });
    expect(a.run('cloud-link').reason).toMatch(/MIIO_ERR_TIMEOUT/);
    expect(a.run('firmware-older-than-known').reason).toMatch(/did not answer/);
  });

  it('device that answers hello but never miIO.info (right token): valid unknown, info checks skipped, not an error', async () => {
    const a = await audit(device({ info: 'silence' }), [entry(REAL)]);
    expect(a.device.token).toMatchObject({ state: 'hidden', supplied: true, valid: null });
    expect(a.device.firmware).toBeNull();
    for (const id of ['cloud-link', 'firmware-older-than-known', 'miio-setup-mode', 'miio-token-stale']) {
      expect(['skipped', 'error'], id).toContain(a.run(id).status);
      expect(a.run(id).reason, id).toMatch(/TIMEOUT|did not answer/);
    }
  });

  it('supplied token silent but the leaked one works: supplied is certainly stale, firmware from the leaked one', async () => {
    const a = await audit(device({ leaks: true, wrongToken: 'silence' }), [entry(OLD)]);
    expect(a.device.token).toMatchObject({ state: 'exposed-confirmed', supplied: true, valid: false });
    expect(a.device.firmware?.version).toBe('3.3.9_003060');
    expect(a.run('miio-token-stale').status).toBe('fail');
    // The secret worth showing is the one that works.
    expect(a.secrets.token).toBe(REAL.revealHex());
  });

  it('leaker whose token the user already has: one session, not two', async () => {
    const calls: { token: string | null }[] = [];
    const a = await audit(device({ leaks: true, info: 'silence' }), [entry(REAL)], record(), calls);
    expect(calls).toHaveLength(1);
    expect(a.device.token).toMatchObject({ state: 'exposed-unconfirmed', valid: null });
  });

  it('silent device (no hello reply): token unknown, no miIO.info attempt beyond the handshake', async () => {
    const calls: { token: string | null }[] = [];
    const a = await audit(device({ hello: false }), [], record({ sources: ['mdns'], services: [{ type: '_miio._udp.local', name: 'x', txt: {} } as never] }), calls);
    expect(calls).toHaveLength(1);
    expect(a.device.token).toEqual({ state: 'unknown', supplied: false, valid: null, fingerprint: null });
    expect(a.device.firmware).toBeNull();
    expect(a.run('miio-token-exposed').status).toBe('skipped');
    expect(a.device.openPorts.some((p) => p.port === 54321)).toBe(false);
  });

  it('a device that does not speak miIO gets no miIO probe at all', async () => {
    const calls: { token: string | null }[] = [];
    const a = await audit(device(), [], record({ sources: ['arp'], deviceId: null, model: null }), calls);
    expect(calls).toHaveLength(0);
    expect(a.device.token.state).toBe('unknown');
  });

  it('a probe that throws costs this device a check error, not an exception', async () => {
    const probes = fakeProbes(device());
    probes.miio = () => Promise.reject(Object.assign(new Error('socket exploded'), { code: 'EHOSTILE' }));
    probes.ports = () => Promise.reject(new Error('ports exploded'));
    const rec = record({ sources: ['mdns'], model: 'chuangmi.camera.ipc009', services: [{ type: '_miio._udp.local', name: 'x', txt: {} } as never] });
    const a = await auditDevice(rec, Promise.resolve([]), settings(probes, [entry(REAL)]), new AbortController().signal);
    expect(a).not.toBeNull();
    const exposed = a!.runs.find((r) => r.checkId === 'miio-token-exposed')!;
    expect(exposed.status).toBe('error');
    expect(JSON.stringify(exposed)).toContain('EHOSTILE');
    expect(a!.device.token).toMatchObject({ state: 'unknown', supplied: true, valid: null });
    expect(a!.runs.find((r) => r.checkId === 'miio-token-stale')!.reason).toContain('EHOSTILE');
  });
});
