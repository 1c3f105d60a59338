import { describe, expect, it } from 'vitest';
import { loadAdvisoryDatabaseSync } from '../advisories/load.js';
import { cloudLink, lumiGatewayLanProtocol, routerInitInfoExposed, unknownXiaomiHost, yeelightLanControlOpen } from './ecosystem.js';
import { firmwareAdvisory, firmwareOlderThanKnown } from './firmware.js';
import { httpAdminOpen, mqttNoAuth, rtspOpen, sshOnStockDevice, telnetOpen, valetudoPresent } from './services.js';
import { miioSetupMode, miioTokenExposed, miioTokenStale } from './token.js';
import type { Check, CheckResult, DeviceAuditContext, AuditMiioInfo, PortObservation } from './types.js';

const db = loadAdvisoryDatabaseSync();

const INFO: Partial<AuditMiioInfo> = {
  model: 'chuangmi.plug.m1',
  fw_ver: '1.2.4_16',
  hw_ver: 'MW300',
  mac: '28:FF:FF:FF:FF:FF',
  wifi_fw_ver: 'SD878x-14.76.36.p84-702.1.0-WM',
  ap: { ssid: 'home', bssid: 'FF:FF:FF:FF:FF:FF', rssi: -60 },
  netif: { localIp: '192.168.1.20', mask: '255.255.255.0', gw: '192.168.1.1' },
  life: 24,
  ot: 'otu',
};

/** A provisioned plug with a working supplied token and nothing open: every check passes or skips. */
function base(over: Partial<DeviceAuditContext> = {}): DeviceAuditContext {
  return {
    device: {
      ip: '192.168.1.20',
      mac: '28:FF:FF:FF:FF:FF',
      vendor: 'Xiaomi Communications Co Ltd',
      xiaomiFamily: 'strong',
      deviceId: '123456',
      model: 'chuangmi.plug.m1',
      names: ['chuangmi-plug-m1_miio123456'],
      sources: ['mdns', 'hello'],
      mdns: [{ type: '_miio._udp', name: 'chuangmi-plug-m1_miio123456', txt: {} }],
    },
    hello: { ok: true, tokenField: 'hidden', tokenFingerprint: null, stamp: 24 },
    tokenProbe: { suppliedFingerprint: 'tok:0123456789ab', suppliedValid: true, exposedConfirmed: null },
    info: { ok: true, value: { ...INFO } },
    ports: [],
    ecosystem: {},
    advisories: db,
    ...over,
  };
}
const withDevice = (d: Partial<DeviceAuditContext['device']>, over: Partial<DeviceAuditContext> = {}): DeviceAuditContext => {
  const c = base(over);
  return { ...c, device: { ...c.device, ...d } };
};
const tcpPort = (port: number, service: string | null, extra: Partial<PortObservation> = {}): PortObservation => ({ port, protocol: 'tcp', service, banner: null, open: true, ...extra });

function run(check: Check, ctx: DeviceAuditContext): CheckResult {
  const r = check.run(ctx);
  expect(r.run.checkId).toBe(check.meta.id);
  expect(r.run.ip).toBe(ctx.device.ip);
  if (r.run.status !== 'fail') expect(r.findings).toEqual([]);
  else expect(r.findings.length).toBeGreaterThan(0);
  return r;
}
const status = (check: Check, ctx: DeviceAuditContext): string => run(check, ctx).run.status;

describe('miio-token-exposed', () => {
  it('pass when hidden, skipped without hello, skipped on silence, error on other hello errors', () => {
    expect(status(miioTokenExposed, base())).toBe('pass');
    expect(status(miioTokenExposed, base({ hello: undefined }))).toBe('skipped');
    expect(status(miioTokenExposed, base({ hello: { ok: false, error: { code: 'MIIO_ERR_PROBE_TIMEOUT', message: 'no reply' } } }))).toBe('skipped');
    const e = run(miioTokenExposed, base({ hello: { ok: false, error: { code: 'MIIO_ERR_UDP', message: 'send failed' } } }));
    expect(e.run).toMatchObject({ status: 'error', error: { code: 'MIIO_ERR_UDP' } });
  });

  it('critical + certain when confirmed, high otherwise; evidence has only the fingerprint', () => {
    const hello = { ok: true as const, tokenField: 'exposed' as const, tokenFingerprint: 'tok:aabbccddeeff', stamp: 5 };
    const confirmed = run(miioTokenExposed, base({ hello, tokenProbe: { suppliedFingerprint: null, suppliedValid: null, exposedConfirmed: true } }));
    expect(confirmed.findings[0]).toMatchObject({ severity: 'critical', confidence: 'certain', evidence: { tokenFingerprint: 'tok:aabbccddeeff', confirmed: true } });
    expect(confirmed.findings[0]?.references).toContain('https://github.com/rytilahti/python-miio/issues/14');
    const unconfirmed = run(miioTokenExposed, base({ hello, tokenProbe: undefined }));
    expect(unconfirmed.findings[0]).toMatchObject({ severity: 'high', confidence: 'likely' });
    const rejected = run(miioTokenExposed, base({ hello, tokenProbe: { suppliedFingerprint: null, suppliedValid: null, exposedConfirmed: false } }));
    expect(rejected.findings[0]).toMatchObject({ severity: 'high', confidence: 'possible' });
  });
});

describe('miio-token-stale', () => {
  it('skipped / pass / fail', () => {
    expect(status(miioTokenStale, base({ tokenProbe: undefined }))).toBe('skipped');
    expect(status(miioTokenStale, base({ tokenProbe: { suppliedFingerprint: 'tok:0123456789ab', suppliedValid: null, exposedConfirmed: null } }))).toBe('skipped');
    expect(status(miioTokenStale, base())).toBe('pass');
    const stale = base({ tokenProbe: { suppliedFingerprint: 'tok:0123456789ab', suppliedValid: false, exposedConfirmed: null } });
    expect(run(miioTokenStale, stale).findings[0]).toMatchObject({ checkId: 'miio-token-stale', evidence: { suppliedFingerprint: 'tok:0123456789ab' } });
    // Dead device: a rejected token proves nothing.
    expect(status(miioTokenStale, { ...stale, hello: { ok: false, error: { code: 'MIIO_ERR_PROBE_TIMEOUT', message: '' } } })).toBe('skipped');
  });
});

describe('miio-setup-mode', () => {
  it('fails when the device is its own gateway, has a setup SSID or name', () => {
    const own = base({ info: { ok: true, value: { ...INFO, netif: { localIp: '192.168.8.1', mask: '255.255.255.0', gw: '192.168.8.1' } } } });
    expect(run(miioSetupMode, own).findings[0]).toMatchObject({ confidence: 'certain', evidence: { localIp: '192.168.8.1' } });
    expect(status(miioSetupMode, withDevice({ names: ['zhimi-airpurifier-m1_miapdf91'] }, { info: undefined }))).toBe('fail');
    expect(status(miioSetupMode, base({ info: { ok: true, value: { ...INFO, ap: { ssid: 'rockrobo-vacuum-v1_miap9a3e', bssid: '', rssi: 0 } } } }))).toBe('fail');
  });
  it('passes when joined; skipped without info; error on a real info error', () => {
    expect(status(miioSetupMode, base())).toBe('pass');
    expect(status(miioSetupMode, base({ info: undefined }))).toBe('skipped');
    expect(status(miioSetupMode, base({ info: { ok: false, error: { code: 'MIIO_ERR_CHECKSUM', message: 'bad' } } }))).toBe('error');
  });
});

describe('firmware-advisory', () => {
  it('one finding per matching advisory, with references and confidence', () => {
    const gw = withDevice({ model: 'lumi.gateway.mgl03' }, { info: { ok: true, value: { ...INFO, model: 'lumi.gateway.mgl03', fw_ver: '1.4.5_0016' } } });
    const r = run(firmwareAdvisory, gw);
    expect(r.findings.map((f) => f.subject)).toEqual(['XMSA-0027', 'XMSA-0028']);
    for (const f of r.findings) {
      expect(f.confidence).toBe('likely');
      expect(f.references.length).toBeGreaterThan(0);
      expect(f.evidence).toMatchObject({ model: 'lumi.gateway.mgl03', firmware: '1.4.5_0016', verdict: 'affected' });
    }
  });
  it('router: CVE aliases in titles, certain for stated ranges, possible for date cutoffs', () => {
    const router = withDevice({ model: null, deviceId: null }, { info: undefined, hello: undefined, ecosystem: { routerInitInfo: { hardware: 'R3600', romversion: '1.0.66', serialRedacted: '3641…', inited: true } } });
    const r = run(firmwareAdvisory, router);
    const cve14110 = r.findings.find((f) => f.subject === 'XMSA-0010');
    expect(cve14110).toMatchObject({ severity: 'high', confidence: 'certain' });
    expect(cve14110?.title).toMatch(/^CVE-2020-14110: /);
    expect(r.findings.find((f) => f.subject === 'XMSA-0007')).toBeUndefined(); // fixed in 1.0.66
    const dated = r.findings.find((f) => f.subject === 'XMSA-0022');
    expect(dated).toMatchObject({ confidence: 'possible' });
    expect(dated?.title).toMatch(/^May be affected by CVE-2023-26317/);
  });
  it('no token: possible findings; unknown model: skipped; clean model: pass', () => {
    const r = run(firmwareAdvisory, withDevice({ model: 'lumi.gateway.mgl03' }, { info: undefined }));
    expect(r.findings.every((f) => f.confidence === 'possible')).toBe(true);
    expect(status(firmwareAdvisory, withDevice({ model: null, mdns: [] }, { info: undefined }))).toBe('skipped');
    expect(status(firmwareAdvisory, base())).toBe('pass');
  });
  it('info severity override for informational records', () => {
    const r = run(firmwareAdvisory, withDevice({ model: 'lumi.gateway.v3' }, { info: undefined }));
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([['XMSA-0030', 'info'], ['XMSA-0031', 'info']]);
  });
  it('error without an advisory database', () => {
    expect(run(firmwareAdvisory, base({ advisories: undefined as never })).run.error?.code).toBe('MIIO_ERR_CHECK_NO_ADVISORIES');
  });
});

describe('firmware-older-than-known', () => {
  it('fails (info) below the newest known version, passes at or above, skips without a version', () => {
    const old = withDevice({ model: null }, { info: undefined, ecosystem: { routerInitInfo: { hardware: 'R3600', romversion: '1.0.17', serialRedacted: null, inited: true } } });
    expect(run(firmwareOlderThanKnown, old).findings[0]).toMatchObject({ severity: 'info', evidence: { newerKnown: '1.1.15' } });
    const cur = withDevice({ model: null }, { info: undefined, ecosystem: { routerInitInfo: { hardware: 'R3600', romversion: '3.0.22', serialRedacted: null, inited: true } } });
    expect(status(firmwareOlderThanKnown, cur)).toBe('pass');
    expect(status(firmwareOlderThanKnown, base({ info: undefined }))).toBe('skipped');
    expect(status(firmwareOlderThanKnown, base())).toBe('skipped'); // no data for the plug model
  });
  it('roborock thresholds read as build numbers', () => {
    const vac = withDevice({ model: 'rockrobo.vacuum.v1' }, { info: { ok: true, value: { ...INFO, model: 'rockrobo.vacuum.v1', fw_ver: '3.3.9_003194' } } });
    expect(run(firmwareOlderThanKnown, vac).findings[0]?.evidence).toMatchObject({ newerKnown: 'build 4004' });
  });
});

describe('telnet-open', () => {
  it('pass closed, skipped unscanned, fail with banner meaning', () => {
    expect(status(telnetOpen, base())).toBe('pass');
    expect(status(telnetOpen, base({ portsScanned: false }))).toBe('skipped');
    const gw = withDevice({ model: 'lumi.gateway.mgl03' }, { ports: [tcpPort(23, 'telnet', { banner: '\r\nrlxlinux login: ' })] });
    const f = run(telnetOpen, gw).findings[0];
    expect(f).toMatchObject({ severity: 'high', evidence: { port: 23, loginPrompt: true } });
    expect(String(f?.evidence['bannerMeaning'])).toMatch(/Multimode Gateway/);
    expect(f?.references).toContain('https://github.com/AlexxIT/XiaomiGateway3/issues/1223');
  });
  it('critical on a router with FTP open too (OpenWRTInvasion leftovers)', () => {
    const r = withDevice({ model: null }, { ports: [tcpPort(23, 'telnet'), tcpPort(21, 'ftp')], ecosystem: { routerInitInfo: { hardware: 'R4A', romversion: '2.28.62', serialRedacted: null, inited: true } } });
    expect(run(telnetOpen, r).findings[0]).toMatchObject({ severity: 'critical' });
  });
});

describe('ssh-on-stock-device', () => {
  it('fail on a vacuum, skipped on an unknown model, pass closed', () => {
    const vac = withDevice({ model: 'roborock.vacuum.s5' }, { info: undefined, ports: [tcpPort(22, 'ssh', { details: { sshVersion: 'SSH-2.0-dropbear_2019.78' } })] });
    expect(run(sshOnStockDevice, vac).findings[0]).toMatchObject({ severity: 'high', evidence: { sshVersion: 'SSH-2.0-dropbear_2019.78', deviceKind: 'vacuum' } });
    expect(status(sshOnStockDevice, withDevice({ model: null, mdns: [] }, { info: undefined, ports: [tcpPort(22, 'ssh')] }))).toBe('skipped');
    expect(status(sshOnStockDevice, base())).toBe('pass');
  });
});

describe('valetudo-present', () => {
  it('fail from mDNS or API, medium behind a password, pass on a plain vacuum, skipped otherwise', () => {
    const mdns = withDevice({ model: 'roborock.vacuum.s5', mdns: [{ type: '_valetudo._tcp', name: 'valetudo-x', txt: {} }] }, { info: undefined });
    expect(run(valetudoPresent, mdns).findings[0]).toMatchObject({ severity: 'high' });
    const api = withDevice({ model: 'roborock.vacuum.s5' }, { info: undefined, ecosystem: { valetudo: { version: '2024.02.0' } }, ports: [tcpPort(80, 'http', { details: { httpStatus: 401 } })] });
    expect(run(valetudoPresent, api).findings[0]).toMatchObject({ severity: 'medium', evidence: { version: '2024.02.0' } });
    expect(status(valetudoPresent, withDevice({ model: 'roborock.vacuum.s5' }, { info: undefined }))).toBe('pass');
    expect(status(valetudoPresent, base())).toBe('skipped');
  });
});

describe('rtsp-open', () => {
  it('high without auth, low with auth, pass closed', () => {
    const cam = (rtspAuth?: boolean) => withDevice({ model: 'isa.camera.df3' }, { ports: [tcpPort(8554, 'rtsp', rtspAuth === undefined ? {} : { details: { rtspAuth } })] });
    expect(run(rtspOpen, cam(false)).findings[0]).toMatchObject({ severity: 'high', confidence: 'certain' });
    expect(run(rtspOpen, cam(true)).findings[0]).toMatchObject({ severity: 'low' });
    expect(run(rtspOpen, cam()).findings[0]).toMatchObject({ severity: 'medium' });
    expect(status(rtspOpen, base())).toBe('pass');
  });
});

describe('mqtt-no-auth', () => {
  it('fail on CONNACK 0, pass on refusal, skipped when untested', () => {
    const gw = (mqttConnack?: number) => withDevice({ model: 'lumi.gateway.mgl03' }, { ports: [tcpPort(1883, 'mqtt', mqttConnack === undefined ? {} : { details: { mqttConnack } })] });
    expect(run(mqttNoAuth, gw(0)).findings[0]).toMatchObject({ severity: 'high', evidence: { connack: 0 } });
    expect(status(mqttNoAuth, gw(5))).toBe('pass');
    expect(status(mqttNoAuth, gw())).toBe('skipped');
    expect(status(mqttNoAuth, base())).toBe('pass');
  });
});

describe('http-admin-open', () => {
  it('fail on a camera, pass on a router, skipped on unknown models', () => {
    expect(run(httpAdminOpen, withDevice({ model: 'isa.camera.df3' }, { ports: [tcpPort(443, 'https', { details: { httpStatus: 200 } })] })).findings[0]).toMatchObject({ severity: 'medium' });
    expect(status(httpAdminOpen, withDevice({ model: null }, { ports: [tcpPort(80, 'http')], ecosystem: { routerInitInfo: { hardware: 'RB03', romversion: '1.0.54', serialRedacted: null, inited: true } } }))).toBe('pass');
    expect(status(httpAdminOpen, withDevice({ model: null, mdns: [] }, { info: undefined, ports: [tcpPort(80, 'http')] }))).toBe('skipped');
    expect(status(httpAdminOpen, base())).toBe('pass');
  });
});

describe('yeelight-lan-control-open', () => {
  const bulb = (over: Partial<DeviceAuditContext> = {}) =>
    withDevice({ model: 'yeelink.light.color1', yeelight: { model: 'color', fw_ver: '18', support: ['get_prop'] } }, { info: undefined, ...over });
  it('fail when 55443 is open, pass when closed, skipped for other devices', () => {
    expect(run(yeelightLanControlOpen, bulb({ ecosystem: { yeelightLanControl: { open: true, getPropAnswered: true } } })).findings[0]).toMatchObject({ severity: 'medium', confidence: 'certain' });
    expect(status(yeelightLanControlOpen, bulb({ ports: [tcpPort(55443, 'yeelight')] }))).toBe('fail');
    expect(status(yeelightLanControlOpen, bulb())).toBe('pass');
    expect(status(yeelightLanControlOpen, bulb({ portsScanned: false }))).toBe('skipped');
    expect(status(yeelightLanControlOpen, base())).toBe('skipped');
  });
});

describe('lumi-gateway-lan-protocol', () => {
  it('fail on iam, pass when probed silent, skipped otherwise', () => {
    const gw = withDevice({ model: 'lumi.gateway.v3', lumi: { sid: '286c07aaaaaa', model: 'gateway', proto_version: '1.1.2', port: 9898 } });
    expect(run(lumiGatewayLanProtocol, gw).findings[0]).toMatchObject({ evidence: { protoVersion: '1.1.2' } });
    expect(status(lumiGatewayLanProtocol, withDevice({ model: 'lumi.gateway.v3' }, { ecosystem: { lumiLan: { iam: false, readAnswered: false } } }))).toBe('pass');
    expect(status(lumiGatewayLanProtocol, withDevice({ model: 'lumi.gateway.v3' }))).toBe('skipped');
    expect(status(lumiGatewayLanProtocol, base())).toBe('skipped');
  });
});

describe('router-init-info-exposed', () => {
  const router = (over: Partial<DeviceAuditContext> = {}, inited = true) =>
    withDevice({ model: 'xiaomi.router.rb03' }, { info: undefined, ecosystem: { routerInitInfo: { hardware: 'RB03', romversion: '1.0.54', serialRedacted: '36418/J1V…', inited } }, ...over });
  it('medium by default, high with telnet/ssh or in factory state; serial only redacted', () => {
    const r = run(routerInitInfoExposed, router());
    expect(r.findings[0]).toMatchObject({ severity: 'medium', evidence: { serialRedacted: '36418/J1V…' } });
    expect(run(routerInitInfoExposed, router({ ports: [tcpPort(22, 'ssh')] })).findings[0]?.severity).toBe('high');
    expect(run(routerInitInfoExposed, router({}, false)).findings[0]?.severity).toBe('high');
    expect(status(routerInitInfoExposed, base())).toBe('skipped');
  });
});

describe('cloud-link', () => {
  it('info finding when ot is missing or none', () => {
    expect(status(cloudLink, base())).toBe('pass');
    const none = run(cloudLink, base({ info: { ok: true, value: { ...INFO, ot: 'none' } } }));
    expect(none.findings[0]).toMatchObject({ severity: 'info' });
    const { ot: _ot, ...noOt } = INFO;
    expect(status(cloudLink, base({ info: { ok: true, value: noOt } }))).toBe('fail');
    expect(status(cloudLink, base({ info: undefined }))).toBe('skipped');
    expect(status(cloudLink, base({ info: { ok: false, error: { code: 'MIIO_ERR_CHECKSUM', message: 'x' } } }))).toBe('error');
  });
});

describe('unknown-xiaomi-host', () => {
  const silent = (family: 'strong' | 'weak' | null, ports: PortObservation[] = []) =>
    withDevice({ xiaomiFamily: family, model: null, deviceId: null, mdns: [], names: [] }, { hello: { ok: false, error: { code: 'MIIO_ERR_PROBE_TIMEOUT', message: '' } }, info: undefined, ports });
  it('info (low with open ports) for a silent Xiaomi MAC; pass when identified; skipped for weak/other', () => {
    expect(run(unknownXiaomiHost, silent('strong')).findings[0]).toMatchObject({ severity: 'info' });
    expect(run(unknownXiaomiHost, silent('strong', [tcpPort(8080, 'http')])).findings[0]).toMatchObject({ severity: 'low' });
    expect(status(unknownXiaomiHost, silent('weak'))).toBe('skipped');
    expect(status(unknownXiaomiHost, silent(null))).toBe('skipped');
    expect(status(unknownXiaomiHost, base())).toBe('pass');
  });
});
