/**
 * diffReports unit tests and golden tests of the diff renderers (fixed clock; regenerate the golden files
 * with UPDATE_GOLDEN=1 after an intended change and review the diff).
 *
 * Fixture: two reports of one home. Between them the gateway moved IP and updated firmware, telnet
 * closed on it (its finding resolved), the bulb started leaking its token, the plug (MAC only, written
 * in another notation) opened port 8080 with a new finding, the vacuum is gone and a camera is new.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildReport } from './build.js';
import { changesAtOrAbove, CHANGE_KINDS, deviceKey, diffReports, normalizeMac } from './diff.js';
import type { Change } from './diff.js';
import { diffSummaryLine, diffWriters, getDiffWriter, renderDiffJson, renderDiffMarkdown, renderDiffTable } from './diff-render.js';
import { ReportError } from './errors.js';
import type { DeviceReport, Finding, ScanReport } from './schema.js';

const fixedClock = { now: (): Date => new Date('2026-11-26T12:00:30.000Z') };
const tool = { name: 'xmscan', version: '0.1.0' };

function dev(over: Partial<DeviceReport> & { ip: string }): DeviceReport {
  return {
    mac: null,
    vendor: null,
    xiaomiFamily: null,
    deviceId: null,
    model: null,
    names: [],
    sources: ['hello'],
    firmware: null,
    token: { state: 'hidden', supplied: false, valid: null, fingerprint: null },
    openPorts: [],
    ...over,
  };
}

function finding(over: Partial<Finding> & { checkId: string; ip: string }): Finding {
  return {
    severity: 'high',
    title: `${over.checkId} title`,
    deviceId: null,
    evidence: {},
    remediation: 'fix it',
    references: [],
    ...over,
  };
}

const fw = (version: string) => ({ version, hardware: null, wifi: null, mcu: null });

function homeBefore(): ScanReport {
  const gateway = dev({ ip: '192.168.1.10', mac: '04:CF:8C:00:00:10', deviceId: '123456789', model: 'lumi.gateway.mgl03', names: ['Gateway'], firmware: fw('1.4.5_0016'), openPorts: [{ port: 23, protocol: 'tcp', service: 'telnet', banner: null }] });
  const bulb = dev({ ip: '192.168.1.20', mac: 'F8:24:41:00:00:20', deviceId: '42', model: 'yeelink.light.mono1', firmware: fw('2.0.6_0041') });
  const plug = dev({ ip: '192.168.1.30', mac: '28:6c:07:00:00:30', model: 'chuangmi.plug.m1' });
  const vacuum = dev({ ip: '192.168.1.40', mac: '24:9E:7D:00:00:40', deviceId: '277962183', model: 'roborock.vacuum.s5', openPorts: [{ port: 22, protocol: 'tcp', service: 'ssh', banner: null }] });
  return buildReport(
    {
      tool,
      startedAt: '2026-11-25T12:00:00.000Z',
      devices: [gateway, bulb, plug, vacuum],
      checks: [],
      findings: [
        finding({ checkId: 'telnet-open', ip: gateway.ip, deviceId: '123456789', severity: 'critical' }),
        finding({ checkId: 'ssh-on-stock-device', ip: vacuum.ip, deviceId: '277962183', severity: 'medium' }),
        finding({ checkId: 'firmware-advisory', subject: 'XMSCAN-2020-0001', ip: bulb.ip, deviceId: '42', severity: 'medium' }),
      ],
    },
    fixedClock,
  );
}

function homeAfter(): ScanReport {
  const gateway = dev({ ip: '192.168.1.11', mac: '04:CF:8C:00:00:10', deviceId: '123456789', model: 'lumi.gateway.mgl03', names: ['Gateway'], firmware: fw('1.5.0_0026') });
  const bulb = dev({ ip: '192.168.1.20', mac: 'F8:24:41:00:00:20', deviceId: '42', model: 'yeelink.light.mono1', firmware: fw('2.0.6_0041'), token: { state: 'exposed-confirmed', supplied: false, valid: null, fingerprint: 'tok:0123456789ab' } });
  // Same plug, MAC written in another notation: still the same device.
  const plug = dev({ ip: '192.168.1.30', mac: '28-6C-07-00-00-30', model: 'chuangmi.plug.m1', openPorts: [{ port: 8080, protocol: 'tcp', service: 'http', banner: null }] });
  const camera = dev({ ip: '192.168.1.50', mac: '78:11:DC:00:00:50', deviceId: '9001', model: 'chuangmi.camera.ipc009', names: ['Cam *front*'] });
  return buildReport(
    {
      tool,
      startedAt: '2026-11-26T12:00:00.000Z',
      devices: [gateway, bulb, plug, camera],
      checks: [],
      findings: [
        finding({ checkId: 'miio-token-exposed', ip: bulb.ip, deviceId: '42', severity: 'critical' }),
        finding({ checkId: 'firmware-advisory', subject: 'XMSCAN-2020-0001', ip: bulb.ip, deviceId: '42', severity: 'medium' }),
        finding({ checkId: 'http-admin-open', ip: plug.ip, mac: plug.mac, severity: 'medium' }),
        finding({ checkId: 'rtsp-open', ip: camera.ip, deviceId: '9001', severity: 'high' }),
      ],
    },
    fixedClock,
  );
}

const kinds = (cs: readonly Change[]): string[] => cs.map((c) => `${c.kind} ${c.key}`);

describe('deviceKey', () => {
  it('prefers the device id, then the MAC (normalised), then the IP', () => {
    expect(deviceKey({ deviceId: '42', mac: 'aa:bb:cc:dd:ee:ff', ip: '10.0.0.1' })).toBe('did:42');
    expect(deviceKey({ deviceId: null, mac: 'aa-bb-cc-dd-ee-ff', ip: '10.0.0.1' })).toBe('mac:AA:BB:CC:DD:EE:FF');
    expect(deviceKey({ deviceId: null, mac: null, ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
  });
  it('treats did 0 and empty ids as unknown (routers and Android boxes all answer 0)', () => {
    expect(deviceKey({ deviceId: '0', mac: null, ip: '10.0.0.1' })).toBe('ip:10.0.0.1');
    expect(deviceKey({ deviceId: '', mac: '', ip: '10.0.0.2' })).toBe('ip:10.0.0.2');
  });
  it('normalizeMac accepts colon, dash, dot notations and keeps junk as is', () => {
    expect(normalizeMac('286c.0700.0030')).toBe('28:6C:07:00:00:30');
    expect(normalizeMac('zz:zz')).toBe('ZZ:ZZ');
  });
});

describe('diffReports', () => {
  const a = homeBefore();
  const b = homeAfter();

  it('is empty for a report against itself (and against an identical later scan)', () => {
    const d = diffReports(a, a);
    expect(d.changes).toEqual([]);
    expect(Object.values(d.summary).every((n) => n === 0)).toBe(true);
    expect(Object.keys(d.summary)).toEqual([...CHANGE_KINDS]);
    const later = { ...a, startedAt: '2026-11-27T00:00:00.000Z' };
    expect(diffReports(a, later).changes).toEqual([]);
  });

  it('reports every change of the fixture, grouped by device in IP order, keyed by identity', () => {
    const d = diffReports(a, b, { fromScanId: 7, toScanId: 8 });
    expect(d.from).toEqual({ startedAt: '2026-11-25T12:00:00.000Z', scanId: 7 });
    expect(d.to).toEqual({ startedAt: '2026-11-26T12:00:00.000Z', scanId: 8 });
    expect(kinds(d.changes)).toEqual([
      'ip-changed did:123456789',
      'firmware-changed did:123456789',
      'port-closed did:123456789',
      'finding-resolved did:123456789',
      'token-exposed did:42',
      'finding-new did:42',
      'port-opened mac:28:6C:07:00:00:30',
      'finding-new mac:28:6C:07:00:00:30',
      'device-gone did:277962183',
      'device-new did:9001',
      'finding-new did:9001',
    ]);
    expect(d.changes[0]).toEqual({ kind: 'ip-changed', key: 'did:123456789', from: '192.168.1.10', to: '192.168.1.11' });
    expect(d.changes[1]).toEqual({ kind: 'firmware-changed', key: 'did:123456789', from: '1.4.5_0016', to: '1.5.0_0026' });
    expect(d.changes[2]).toEqual({ kind: 'port-closed', key: 'did:123456789', port: 23, protocol: 'tcp' });
    expect(d.changes[4]).toEqual({ kind: 'token-exposed', key: 'did:42', from: 'hidden', to: 'exposed-confirmed' });
    expect(d.summary['finding-new']).toBe(3);
    expect(d.summary['device-gone']).toBe(1);
    // The unchanged advisory finding on the bulb is neither new nor resolved.
    expect(d.changes.filter((c) => (c.kind === 'finding-new' || c.kind === 'finding-resolved') && c.finding.checkId === 'firmware-advisory')).toEqual([]);
  });

  it('does not resolve the findings of a device that is gone', () => {
    const d = diffReports(a, b);
    const resolved = d.changes.filter((c) => c.kind === 'finding-resolved');
    expect(resolved.map((c) => (c.kind === 'finding-resolved' ? c.finding.checkId : ''))).toEqual(['telnet-open']);
  });

  it('a finding suppressed in the newer scan is not resolved', () => {
    const telnet = a.findings.find((x) => x.checkId === 'telnet-open')!;
    const kept = { ...a, findings: a.findings.filter((x) => x !== telnet), suppressed: [{ finding: telnet, reason: 'lab' }] };
    expect(diffReports(a, kept).changes).toEqual([]);
    expect(kinds(diffReports(kept, a).changes)).toEqual(['finding-new did:123456789']); // the suppression expired
  });

  it('matches a device by MAC when it has no id, and by id even when the MAC changed (new Wi-Fi module)', () => {
    const x = { ...a, devices: [dev({ ip: '10.0.0.5', mac: '00:11:22:33:44:55' })], findings: [] };
    const y = { ...a, devices: [dev({ ip: '10.0.0.6', mac: '00:11:22:33:44:55' })], findings: [] };
    expect(kinds(diffReports(x, y).changes)).toEqual(['ip-changed mac:00:11:22:33:44:55']);
    const p = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '77', mac: '00:11:22:33:44:55' })], findings: [] };
    const q = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '77', mac: '66:77:88:99:AA:BB' })], findings: [] };
    expect(diffReports(p, q).changes).toEqual([]);
  });

  it('never matches two devices by IP when their ids differ (DHCP reuse is a gone + a new device)', () => {
    const x = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '1' })], findings: [] };
    const y = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '2' })], findings: [] };
    expect(kinds(diffReports(x, y).changes)).toEqual(['device-gone did:1', 'device-new did:2']);
  });

  it('does not call a firmware "changed" when the newer scan could not read it, nor a token hidden on no reply', () => {
    const x = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '1', firmware: { version: '1.0', hardware: null, wifi: null, mcu: null }, token: { state: 'exposed-confirmed', supplied: false, valid: null, fingerprint: 'tok:aaaaaaaaaaaa' } })], findings: [] };
    const y = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '1', firmware: null, token: { state: 'unknown', supplied: false, valid: null, fingerprint: null } })], findings: [] };
    expect(diffReports(x, y).changes).toEqual([]);
    const z = { ...a, devices: [dev({ ip: '10.0.0.5', deviceId: '1', token: { state: 'hidden', supplied: false, valid: null, fingerprint: null } })], findings: [] };
    expect(kinds(diffReports(x, z).changes)).toEqual(['token-hidden did:1']);
  });

  it('is pure: inputs untouched, same output twice', () => {
    const before = JSON.stringify([a, b]);
    const d1 = diffReports(a, b);
    const d2 = diffReports(a, b);
    expect(JSON.stringify(d1)).toBe(JSON.stringify(d2));
    expect(JSON.stringify([a, b])).toBe(before);
  });

  it('changesAtOrAbove counts new findings at the threshold only', () => {
    const d = diffReports(a, b);
    expect(changesAtOrAbove(d, 'critical').map((c) => c.key)).toEqual(['did:42']);
    expect(changesAtOrAbove(d, 'high')).toHaveLength(2);
    expect(changesAtOrAbove(d, 'info')).toHaveLength(3);
    // Backwards, the gateway's telnet finding and the vacuum (a "new" device) are the new ones.
    expect(changesAtOrAbove(diffReports(b, a), 'info').map((c) => (c.kind === 'finding-new' ? c.finding.checkId : ''))).toEqual(['telnet-open', 'ssh-on-stock-device']);
    expect(changesAtOrAbove(diffReports(a, a), 'info')).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------------ golden

const GOLDEN = new URL('./__fixtures__/diff/', import.meta.url);

function golden(name: string, actual: string): void {
  const file = new URL(name, GOLDEN);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(file, actual);
  expect(existsSync(file), `golden file ${name} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('diff renderers (golden, fixed clock)', () => {
  const a = homeBefore();
  const b = homeAfter();
  const d = diffReports(a, b, { fromScanId: 7, toScanId: 8 });
  const ctx = { from: a, to: b };

  it('table', () => golden('home.diff.txt', renderDiffTable(d, ctx)));
  it('json', () => golden('home.diff.json', renderDiffJson(d)));
  it('markdown', () => golden('home.diff.md', renderDiffMarkdown(d, ctx)));
  it('no changes', () => golden('empty.diff.txt', renderDiffTable(diffReports(a, a))));

  it('json round-trips to the diff', () => {
    expect(JSON.parse(renderDiffJson(d))).toEqual(JSON.parse(JSON.stringify(d)));
  });

  it('summary line', () => {
    expect(diffSummaryLine(diffReports(a, a))).toBe('no changes');
    expect(diffSummaryLine(d)).toBe('11 changes: 1 new device, 1 device gone, 1 IP changed, 1 firmware changed, 1 token newly exposed, 1 port opened, 1 port closed, 3 new findings, 1 resolved finding');
  });

  it('strips terminal controls and escapes markdown in device strings', () => {
    const evil = { ...b, devices: [...b.devices, dev({ ip: '192.168.1.66', deviceId: '66', model: 'x\u001b[2Jy', names: ['<img src=x>*[a](b)*'] })] };
    const dd = diffReports(a, evil);
    const t = renderDiffTable(dd, { from: a, to: evil });
    expect(t).not.toMatch(/\u001b/);
    const m = renderDiffMarkdown(dd, { from: a, to: evil });
    expect(m).not.toMatch(/(^|[^\\])</m);
    expect(m).toContain('\\<img src=x\\>\\*\\[a\\]\\(b\\)\\*');
  });

  it('writers map: table/json/markdown; unknown names are REPORT_ERR_UNKNOWN_FORMAT', async () => {
    expect(Object.keys(diffWriters).sort()).toEqual(['json', 'markdown', 'table']);
    let out = '';
    const sink = new Writable({ write(chunk, _enc, cb) { out += String(chunk); cb(); } });
    await getDiffWriter('json').write(d, sink);
    expect(out).toBe(renderDiffJson(d));
    expect(() => getDiffWriter('html')).toThrow(ReportError);
    try {
      getDiffWriter('html');
    } catch (e) {
      expect((e as ReportError).code).toBe('REPORT_ERR_UNKNOWN_FORMAT');
    }
  });
});
