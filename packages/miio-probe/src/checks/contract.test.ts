/**
 * Contract every registered check must honour (style.md §7 item 14, `testCheck()`): valid static
 * metadata, no throw on a dead host, no token hex in anything it returns.
 */
import { describe, expect, it } from 'vitest';
import { loadAdvisoryDatabaseSync } from '../advisories/load.js';
import { Token } from '../codec/token.js';
import { builtinChecks, builtinRegistry } from './builtin.js';
import { CHECK_ID_RX, metaProblems } from './registry.js';
import { runChecks } from './run.js';
import type { DeviceAuditContext } from './types.js';

const db = loadAdvisoryDatabaseSync();
const TOKEN = Token.fromHex('0f1e2d3c4b5a69788796a5b4c3d2e1f0');
const HEX = TOKEN.revealHex();

/** Host that answered nothing: hello and info timed out, no port data. */
function deadHost(): DeviceAuditContext {
  return {
    device: { ip: '10.255.255.1', mac: null, vendor: null, xiaomiFamily: null, deviceId: null, model: null, names: [], sources: ['target'] },
    hello: { ok: false, error: { code: 'MIIO_ERR_PROBE_TIMEOUT', message: 'no hello reply within 2000 ms' } },
    info: { ok: false, error: { code: 'MIIO_ERR_PROBE_TIMEOUT', message: 'no reply' } },
    ports: [],
    portsScanned: false,
    ecosystem: {},
    advisories: db,
  };
}

/** Everything open and exposed; the Token object itself rides along in places checks never read. */
function kitchenSink(): DeviceAuditContext {
  const ctx: DeviceAuditContext = {
    device: {
      ip: '192.168.1.50',
      mac: '04:CF:8C:00:00:50',
      vendor: 'Xiaomi Communications Co Ltd',
      xiaomiFamily: 'strong',
      deviceId: '98765',
      model: 'lumi.gateway.mgl03',
      names: ['lumi-gateway-mgl03_miap1a2b'],
      sources: ['mdns', 'hello'],
      mdns: [{ type: '_valetudo._tcp', name: 'x', txt: { md: 'lumi.gateway.mgl03' } }],
      yeelight: { model: 'color', fw_ver: '18', support: ['get_prop'] },
      lumi: { sid: '04cf8c000050', model: 'gateway', port: 9898 },
    },
    hello: { ok: true, tokenField: 'exposed', tokenFingerprint: TOKEN.fingerprint, stamp: 77 },
    tokenProbe: { suppliedFingerprint: TOKEN.fingerprint, suppliedValid: false, exposedConfirmed: true },
    info: { ok: true, value: { model: 'lumi.gateway.mgl03', fw_ver: '1.4.5_0016', netif: { localIp: '192.168.1.50', mask: '255.255.255.0', gw: '192.168.1.50' }, ot: 'none' } },
    ports: [
      { port: 23, protocol: 'tcp', service: 'telnet', banner: 'rlxlinux login:', open: true },
      { port: 22, protocol: 'tcp', service: 'ssh', banner: 'SSH-2.0-dropbear', open: true },
      { port: 80, protocol: 'tcp', service: 'http', banner: null, open: true, details: { httpStatus: 200, httpTitle: 'Valetudo' } },
      { port: 8554, protocol: 'tcp', service: 'rtsp', banner: null, open: true, details: { rtspAuth: false } },
      { port: 1883, protocol: 'tcp', service: 'mqtt', banner: null, open: true, details: { mqttConnack: 0 } },
      { port: 55443, protocol: 'tcp', service: 'yeelight', banner: null, open: true },
      { port: 8443, protocol: 'tcp', service: 'https', banner: null, open: true },
    ],
    ecosystem: {
      yeelightLanControl: { open: true, getPropAnswered: true },
      lumiLan: { iam: true, readAnswered: true },
      valetudo: { version: '2024.02.0' },
    },
    advisories: db,
  };
  // Token-like values where a careless check might pick them up.
  Object.assign(ctx, { token: TOKEN });
  Object.assign(ctx.tokenProbe as object, { supplied: TOKEN });
  Object.assign(ctx.ecosystem, { secret: TOKEN });
  return ctx;
}

describe.each(builtinChecks.map((c) => [c.meta.id, c] as const))('check %s', (_id, check) => {
  it('has valid static metadata', () => {
    expect(metaProblems(check.meta)).toEqual([]);
    expect(check.meta.id).toMatch(CHECK_ID_RX);
    expect(['info', 'low', 'medium', 'high', 'critical']).toContain(check.meta.severity);
    expect(check.meta.remediation.trim().length).toBeGreaterThan(10);
    expect(check.meta.references.length).toBeGreaterThan(0);
    for (const r of check.meta.references) expect(() => new URL(r)).not.toThrow();
  });

  it('returns skipped or error (never throws) on a dead host', () => {
    const r = check.run(deadHost());
    expect(['skipped', 'error']).toContain(r.run.status);
    expect(r.findings).toEqual([]);
    expect(r.run.reason ?? r.run.error?.message).toBeTruthy();
    if (r.run.status === 'error') expect(r.run.error?.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });

  it('never puts token hex in its output, even with a Token in the context', () => {
    const r = check.run(kitchenSink());
    const out = JSON.stringify(r);
    expect(out).not.toContain(HEX);
    expect(out.toLowerCase()).not.toContain(HEX.toUpperCase().toLowerCase());
    expect(r.run.status).toMatch(/^(pass|fail|error|skipped)$/);
    for (const f of r.findings) {
      expect(f.checkId).toBe(check.meta.id);
      expect(f.remediation.trim()).not.toBe('');
      for (const u of f.references) expect(() => new URL(u)).not.toThrow();
    }
  });

  it('does not throw on a context with missing optional parts', () => {
    const bare = { device: { ip: '10.0.0.1', mac: null, vendor: null, xiaomiFamily: null, deviceId: null, model: null, names: [], sources: [] }, ports: [], ecosystem: {}, advisories: db } as DeviceAuditContext;
    expect(() => check.run(bare)).not.toThrow();
  });
});

describe('registry and runChecks over the built-ins', () => {
  it('ids are unique and permanent (snapshot of the public list)', () => {
    expect(builtinRegistry.metas().map((m) => m.id)).toEqual([
      'miio-token-exposed',
      'miio-token-stale',
      'miio-setup-mode',
      'firmware-advisory',
      'firmware-older-than-known',
      'telnet-open',
      'ssh-on-stock-device',
      'valetudo-present',
      'rtsp-open',
      'mqtt-no-auth',
      'http-admin-open',
      'yeelight-lan-control-open',
      'lumi-gateway-lan-protocol',
      'router-init-info-exposed',
      'cloud-link',
      'unknown-xiaomi-host',
    ]);
  });

  it('the kitchen-sink device fails most checks, with one run per check', () => {
    const { runs, findings } = runChecks(kitchenSink());
    expect(runs).toHaveLength(builtinChecks.length);
    const failed = runs.filter((r) => r.status === 'fail').map((r) => r.checkId);
    for (const id of ['miio-token-exposed', 'miio-token-stale', 'miio-setup-mode', 'firmware-advisory', 'telnet-open', 'ssh-on-stock-device', 'valetudo-present', 'rtsp-open', 'mqtt-no-auth', 'yeelight-lan-control-open', 'lumi-gateway-lan-protocol', 'cloud-link']) {
      expect(failed, id).toContain(id);
    }
    expect(findings.find((f) => f.checkId === 'miio-token-exposed')?.severity).toBe('critical');
    expect(JSON.stringify({ runs, findings })).not.toContain(HEX);
  });

  it('a dead host yields only skipped/error runs and no findings', () => {
    const { runs, findings } = runChecks(deadHost());
    expect(findings).toEqual([]);
    expect(new Set(runs.map((r) => r.status))).toEqual(new Set(['skipped']));
  });

  it('hostile device strings carrying token hex are scrubbed on the way out', () => {
    const ctx = kitchenSink();
    ctx.device.names = [`evil_${HEX}_miap0000`];
    (ctx.ports as unknown as { banner: string | null }[])[0]!.banner = `rlxlinux ${HEX.toUpperCase()} login:`;
    const { runs, findings } = runChecks(ctx);
    const out = JSON.stringify({ runs, findings });
    expect(out.toLowerCase()).not.toContain(HEX);
    expect(out).toContain('[redacted]');
  });

  it('never throws on garbage contexts', () => {
    for (const junk of [undefined, null, {}, { device: null }, { device: { ip: 5 }, ports: 'x', ecosystem: null }, { device: { ip: '1.2.3.4', names: null, mdns: [null] }, ports: [null], ecosystem: {}, advisories: {} }]) {
      const { runs } = runChecks(junk as unknown as DeviceAuditContext);
      expect(runs).toHaveLength(builtinChecks.length);
      for (const r of runs) expect(['pass', 'fail', 'error', 'skipped']).toContain(r.status);
    }
  });
});
