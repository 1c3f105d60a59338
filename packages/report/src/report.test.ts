import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildReport, ipSortKey } from './build.js';
import type { ReportParts } from './build.js';
import { ReportError } from './errors.js';
import type { DeviceReport, ScanReport } from './schema.js';
import { REPORT_SCHEMA_V1_ID, REPORT_SCHEMA_V1_URL } from './schema-file.js';
import { createTableWriter, getWriter, jsonWriter, renderJson, renderTable, writers } from './writers/index.js';


/** A fixed clock: every golden file is produced with it. */
const fixedClock = { now: (): Date => new Date('2026-11-26T12:00:30.000Z') };

const gateway: DeviceReport = {
  ip: '192.168.1.10',
  mac: '04:CF:8C:00:00:10',
  vendor: 'Xiaomi Communications Co Ltd',
  xiaomiFamily: 'strong',
  deviceId: '123456789',
  model: 'lumi.gateway.mgl03',
  names: ['lumi-gateway-mgl03_miio123456789'],
  sources: ['mdns', 'hello'],
  firmware: { version: '1.4.5_0016', hardware: 'Linux', wifi: null, mcu: null },
  token: { state: 'hidden', supplied: true, valid: true, fingerprint: 'tok:0123456789ab' },
  openPorts: [
    { port: 23, protocol: 'tcp', service: 'telnet', banner: '\r\nrlxlinux login: ' },
    { port: 54321, protocol: 'udp', service: 'miio', banner: null },
  ],
};

/** A device whose name and banner try to drive the terminal (OSC title, clear screen, bidi override). */
const hostile: DeviceReport = {
  ip: '192.168.1.9',
  mac: null,
  vendor: null,
  xiaomiFamily: null,
  deviceId: '42',
  model: 'yeelink.light.color1\u001b[2J',
  names: ['evil\u001b]0;pwned\u0007\u202e lamp\nsecond line'],
  sources: ['yeelight'],
  firmware: null,
  token: { state: 'exposed-unconfirmed', supplied: false, valid: null, fingerprint: 'tok:ba9876543210' },
  openPorts: [{ port: 55443, protocol: 'tcp', service: 'yeelight', banner: '\u001b[31mred\u001b[0m' }],
};

const router: DeviceReport = {
  ip: '192.168.1.100',
  mac: '50:64:2B:00:00:01',
  vendor: 'Xiaomi Communications Co Ltd',
  xiaomiFamily: 'strong',
  deviceId: null,
  model: 'xiaomi.router.rb03',
  names: [],
  sources: ['arp', 'target'],
  firmware: { version: '1.0.54', hardware: 'RB03', wifi: null, mcu: null },
  token: { state: 'unknown', supplied: false, valid: null, fingerprint: null },
  openPorts: [{ port: 80, protocol: 'tcp', service: 'http', banner: null }],
  extras: { routerInitInfo: { hardware: 'RB03', romversion: '1.0.54', serialRedacted: '36418/J1V…', inited: true } },
};

function sampleParts(): ReportParts {
  return {
    tool: { name: 'xmscan', version: '0.1.0' },
    startedAt: '2026-11-26T12:00:00.000Z',
    options: { targets: ['192.168.1.0/24'], ports: 'default', tokens: 1 },
    // Deliberately unsorted and with a duplicate device.
    devices: [router, gateway, hostile, { ...gateway, names: ['duplicate'] }],
    checks: [
      { checkId: 'telnet-open', deviceId: '123456789', ip: '192.168.1.10', status: 'fail' },
      { checkId: 'miio-token-exposed', deviceId: '123456789', ip: '192.168.1.10', status: 'pass' },
      { checkId: 'miio-token-exposed', deviceId: '42', ip: '192.168.1.9', status: 'fail' },
      { checkId: 'yeelight-lan-control-open', deviceId: '42', ip: '192.168.1.9', status: 'fail' },
      { checkId: 'miio-token-exposed', deviceId: null, ip: '192.168.1.100', status: 'skipped', reason: 'no hello reply' },
      {
        checkId: 'firmware-advisory',
        deviceId: null,
        ip: '192.168.1.100',
        status: 'error',
        error: { code: 'MIIO_ERR_PROBE_TIMEOUT', message: 'init_info did not answer in time' },
      },
      // Duplicate run: the fail wins over the earlier pass.
      { checkId: 'telnet-open', deviceId: '123456789', ip: '192.168.1.10', status: 'pass' },
    ],
    findings: [
      {
        checkId: 'telnet-open',
        severity: 'high',
        title: 'Telnet is open',
        ip: '192.168.1.10',
        deviceId: '123456789',
        evidence: { port: 23, banner: 'rlxlinux login:', bannerMeaning: 'Xiaomi Multimode Gateway' },
        remediation: 'Reboot the gateway to close telnet and update its firmware.',
        references: ['https://github.com/AlexxIT/XiaomiGateway3/issues/1223'],
        confidence: 'certain',
      },
      {
        checkId: 'miio-token-exposed',
        severity: 'high',
        title: 'miIO token exposed in the hello reply',
        ip: '192.168.1.9',
        deviceId: '42',
        evidence: { tokenField: 'exposed', tokenFingerprint: 'tok:ba9876543210', confirmed: false },
        remediation: 'Finish setting up the device in the Mi Home app, then update its firmware.',
        references: ['https://github.com/rytilahti/python-miio/blob/master/docs/discovery.rst'],
        confidence: 'likely',
      },
      {
        checkId: 'yeelight-lan-control-open',
        severity: 'medium',
        title: 'Yeelight LAN control is on',
        ip: '192.168.1.9',
        deviceId: '42',
        evidence: { port: 55443 },
        remediation: 'Turn off "LAN Control" in the Yeelight app when you do not use it.',
        references: ['https://github.com/skorokithakis/python-yeelight/blob/master/README.rst'],
      },
      {
        checkId: 'firmware-advisory',
        severity: 'medium',
        title: 'XMSA-0043: may be affected by CVE-2020-14096',
        ip: '192.168.1.10',
        deviceId: '123456789',
        subject: 'XMSA-0043',
        evidence: { advisory: 'XMSA-0043' },
        remediation: 'Update the firmware.',
        references: [],
        confidence: 'possible',
      },
      // Same (check, device, subject) with a lower severity: dropped by dedupe.
      {
        checkId: 'firmware-advisory',
        severity: 'low',
        title: 'duplicate',
        ip: '192.168.1.10',
        deviceId: '123456789',
        subject: 'XMSA-0043',
        evidence: {},
        remediation: 'x',
        references: [],
      },
    ],
    warnings: [{ code: 'SCAN_ERR_ARP_UNAVAILABLE', message: 'ARP table could not be read; MACs may be missing' }],
  };
}

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

function compileSchema() {
  const schema = JSON.parse(readFileSync(REPORT_SCHEMA_V1_URL, 'utf8')) as { $id: string };
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  return { schema, validate: ajv.compile(schema) };
}

class Sink extends Writable {
  text = '';
  constructor(readonly opts: { isTTY?: boolean; columns?: number; fail?: boolean } = {}) {
    super();
  }
  get isTTY(): boolean | undefined {
    return this.opts.isTTY;
  }
  get columns(): number | undefined {
    return this.opts.columns;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.opts.fail) return cb(new Error('disk full'));
    this.text += chunk.toString('utf8');
    cb();
  }
}

const build = (): ScanReport => buildReport(sampleParts(), fixedClock);
// Strip only the SGR sequences our writer emits, to measure visible width.
const visible = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

describe('buildReport', () => {
  it('stamps times from the parts and the injected clock', () => {
    const r = build();
    expect(r.schemaVersion).toBe(1);
    expect(r.startedAt).toBe('2026-11-26T12:00:00.000Z');
    expect(r.finishedAt).toBe('2026-11-26T12:00:30.000Z');
    const r2 = buildReport({ ...sampleParts(), finishedAt: 1_700_000_000_000 }, { now: () => { throw new Error('clock must not be called'); } });
    expect(r2.finishedAt).toBe('2023-11-14T22:13:20.000Z');
  });

  it('sorts devices by numeric IP and drops duplicates', () => {
    const r = build();
    expect(r.devices.map((d) => d.ip)).toEqual(['192.168.1.9', '192.168.1.10', '192.168.1.100']);
    expect(r.devices[1]?.names).toEqual(['lumi-gateway-mgl03_miio123456789']);
    expect(ipSortKey('10.0.0.9') < ipSortKey('10.0.0.10')).toBe(true);
    expect(ipSortKey('fe80::1') > ipSortKey('255.255.255.255')).toBe(true);
  });

  it('keeps the most telling run per (check, device) and sorts runs', () => {
    const r = build();
    const telnet = r.checks.filter((c) => c.checkId === 'telnet-open');
    expect(telnet).toHaveLength(1);
    expect(telnet[0]?.status).toBe('fail');
    expect(r.checks.map((c) => `${c.ip} ${c.checkId}`)).toEqual([
      '192.168.1.9 miio-token-exposed',
      '192.168.1.9 yeelight-lan-control-open',
      '192.168.1.10 miio-token-exposed',
      '192.168.1.10 telnet-open',
      '192.168.1.100 firmware-advisory',
      '192.168.1.100 miio-token-exposed',
    ]);
  });

  it('sorts findings critical first and dedupes by (check, device, subject) keeping the most severe', () => {
    const r = build();
    expect(r.findings.map((f) => [f.severity, f.checkId, f.ip])).toEqual([
      ['high', 'miio-token-exposed', '192.168.1.9'],
      ['high', 'telnet-open', '192.168.1.10'],
      ['medium', 'yeelight-lan-control-open', '192.168.1.9'],
      ['medium', 'firmware-advisory', '192.168.1.10'],
    ]);
    expect(r.findings.find((f) => f.checkId === 'firmware-advisory')?.title).not.toBe('duplicate');
  });

  it('summarises from the final lists', () => {
    const r = build();
    expect(r.summary).toEqual({
      devices: 3,
      findingsBySeverity: { info: 0, low: 0, medium: 2, high: 2, critical: 0 },
      checksByStatus: { pass: 1, fail: 3, error: 1, skipped: 1 },
    });
    expect(r.warnings).toHaveLength(1);
    expect(r.incomplete).toBeUndefined();
    expect(buildReport({ ...sampleParts(), incomplete: true }, fixedClock).incomplete).toBe(true);
  });

  it('is deterministic and does not mutate its input', () => {
    const parts = sampleParts();
    const before = JSON.stringify(parts);
    expect(renderJson(buildReport(parts, fixedClock))).toBe(renderJson(buildReport(sampleParts(), fixedClock)));
    expect(JSON.stringify(parts)).toBe(before);
  });

  it('normalises severity case and rejects unknown severities and statuses', () => {
    const parts = sampleParts();
    const f0 = parts.findings[0]!;
    const upper = buildReport({ ...parts, findings: [{ ...f0, severity: 'HIGH' as never }] }, fixedClock);
    expect(upper.findings[0]?.severity).toBe('high');
    const bad = (p: ReportParts, code: string): void => {
      try {
        buildReport(p, fixedClock);
        expect.unreachable('should throw');
      } catch (e) {
        expect(e).toBeInstanceOf(ReportError);
        expect((e as ReportError).code).toBe(code);
      }
    };
    bad({ ...parts, findings: [{ ...f0, severity: 'severe' as never }] }, 'REPORT_ERR_BAD_SEVERITY');
    bad({ ...parts, checks: [{ ...parts.checks[0]!, status: 'ok' as never }] }, 'REPORT_ERR_BAD_STATUS');
    bad({ ...parts, startedAt: 'yesterday' }, 'REPORT_ERR_BAD_CLOCK');
    bad({ ...parts, devices: undefined as never }, 'REPORT_ERR_BAD_REPORT');
  });
});

describe('JSON Schema report-v1', () => {
  it('is a valid 2020-12 schema with the advertised $id', () => {
    const { schema } = compileSchema();
    expect(schema.$id).toBe(REPORT_SCHEMA_V1_ID);
  });

  it('accepts the golden fixture and a freshly built report', async () => {
    const { validate } = compileSchema();
    const json = renderJson(build());
    await expect(json).toMatchFileSnapshot('./__fixtures__/report-v1.sample.json');
    const fixture = JSON.parse(readFileSync(new URL('./__fixtures__/report-v1.sample.json', import.meta.url), 'utf8')) as unknown;
    expect(validate(fixture), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(JSON.parse(json)), JSON.stringify(validate.errors)).toBe(true);
    // The issue-4 CLI contract keys are all there.
    const o = JSON.parse(json) as Record<string, unknown>;
    expect(Object.keys(o)[0]).toBe('schemaVersion');
    for (const k of ['schemaVersion', 'startedAt', 'finishedAt', 'devices', 'checks', 'findings']) expect(o).toHaveProperty(k);
  });

  it('accepts an empty report', () => {
    const { validate } = compileSchema();
    const empty = buildReport({ tool: { name: 'xmscan', version: '0' }, startedAt: 0, devices: [], checks: [], findings: [] }, fixedClock);
    expect(validate(JSON.parse(renderJson(empty))), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['a raw token in evidence', (o: any) => { o.findings[0].evidence.token = '00112233445566778899aabbccddeeff'; }],
    ['32 hex as a fingerprint', (o: any) => { o.devices[0].token.fingerprint = '00112233445566778899aabbccddeeff'; }],
    ['an unknown severity', (o: any) => { o.findings[0].severity = 'severe'; }],
    ['a non-kebab check id', (o: any) => { o.checks[0].checkId = 'Telnet_Open'; }],
    ['an error run without error', (o: any) => { delete o.checks.find((c: any) => c.status === 'error').error; }],
    ['a numeric device id', (o: any) => { o.devices[0].deviceId = 42; }],
    ['schemaVersion 2', (o: any) => { o.schemaVersion = 2; }],
    ['a missing token block', (o: any) => { delete o.devices[0].token; }],
    ['a non-URL reference', (o: any) => { o.findings[0].references = ['see the docs']; }],
  ])('rejects %s', (_name, mutate) => {
    const { validate } = compileSchema();
    const o = JSON.parse(renderJson(build()));
    mutate(o);
    expect(validate(o)).toBe(false);
  });
});

describe('writers', () => {
  it('map holds every format; unknown names fail with REPORT_ERR_UNKNOWN_FORMAT', () => {
    expect(Object.keys(writers).sort()).toEqual(['html', 'json', 'markdown', 'sarif', 'table']);
    expect(getWriter('json')).toBe(jsonWriter);
    expect(() => getWriter('xml')).toThrowError(expect.objectContaining({ code: 'REPORT_ERR_UNKNOWN_FORMAT' }));
    expect(() => getWriter('__proto__')).toThrowError(expect.objectContaining({ code: 'REPORT_ERR_UNKNOWN_FORMAT' }));
  });

  it('json writer writes parseable JSON with schemaVersion first', async () => {
    const sink = new Sink();
    await jsonWriter.write(build(), sink);
    expect(sink.text.endsWith('\n')).toBe(true);
    expect(sink.text.indexOf('"schemaVersion"')).toBeLessThan(sink.text.indexOf('"devices"'));
    expect((JSON.parse(sink.text) as ScanReport).findings).toHaveLength(4);
  });

  it('stream failures become REPORT_ERR_WRITE', async () => {
    await expect(jsonWriter.write(build(), new Sink({ fail: true }))).rejects.toMatchObject({ code: 'REPORT_ERR_WRITE' });
  });

  it('table: golden output without colour', async () => {
    const text = renderTable(build(), { color: false, width: 100 });
    await expect(text).toMatchFileSnapshot('./__fixtures__/report-v1.sample.txt');
    expect(text).toMatch(/Findings: 0 critical, 2 high, 2 medium, 0 low, 0 info/);
    expect(text.indexOf('192.168.1.9 ')).toBeLessThan(text.indexOf('192.168.1.10 '));
    expect(text).toContain('could not test firmware-advisory: MIIO_ERR_PROBE_TIMEOUT');
    expect(text).toContain('[possible]');
  });

  it('table: hostile device strings cannot reach the terminal', () => {
    for (const color of [false, true]) {
      const text = renderTable(build(), { color, width: 200 });
      expect(text).not.toContain('\u0007');
      expect(text).not.toContain('\u202e');
      expect(text).not.toContain(']0;pwned');
      expect(text).not.toContain('\u001b[2J');
      expect(text).not.toContain('\u001b[31mred');
      // Every ESC left is one of our own SGR colour codes.
      expect(text.replace(/\u001b\[[0-9;]*m/g, '')).not.toContain('\u001b');
      expect(text).toContain('evil lamp second line');
    }
  });

  it('table: honours NO_COLOR, TERM=dumb, TTY detection and the width', async () => {
    const tty = async (env: Record<string, string | undefined>): Promise<string> => {
      const s = new Sink({ isTTY: true, columns: 60 });
      await createTableWriter({ env }).write(build(), s);
      return s.text;
    };
    expect(await tty({})).toContain('\u001b[');
    expect(await tty({ NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(await tty({ TERM: 'dumb' })).not.toContain('\u001b[');
    expect(await tty({ NO_COLOR: '' })).toContain('\u001b['); // empty NO_COLOR does not count (no-color.org)
    const pipe = new Sink({ isTTY: false });
    await createTableWriter({ env: {} }).write(build(), pipe);
    expect(pipe.text).not.toContain('\u001b[');
    // Not a terminal (cron mail): nothing is cut, remediation text arrives whole.
    expect(pipe.text).not.toContain('…');
    const r0 = build();
    const longest = Math.max(...r0.findings.map((f) => f.remediation.length));
    expect(pipe.text.split('\n').some((l) => l.length >= longest)).toBe(true);
    for (const line of (await tty({})).split('\n')) expect(visible(line).length).toBeLessThanOrEqual(60);
    const narrow = renderTable(build(), { color: false, width: 40 });
    for (const line of narrow.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
  });

  it('table: never drops a finding whose device is missing', () => {
    const parts = sampleParts();
    const r = buildReport({ ...parts, devices: parts.devices.filter((d: DeviceReport) => d.ip !== '192.168.1.10') }, fixedClock);
    const text = renderTable(r, { color: false, width: 120 });
    expect(text).toContain('192.168.1.10  (device not in report)');
    expect(text).toContain('Telnet is open');
  });
});
