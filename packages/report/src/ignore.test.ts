import { describe, expect, it } from 'vitest';
import { buildReport } from './build.js';
import { ReportError } from './errors.js';
import { applyIgnore, parseIgnoreFile } from './ignore.js';
import type { DeviceReport, Finding } from './schema.js';

const clock = { now: (): Date => new Date('2026-11-26T12:00:30.000Z') };
const NOW = new Date('2026-11-26T12:00:00.000Z');

const dev = (ip: string, deviceId: string | null, mac: string | null): DeviceReport => ({
  ip, mac, vendor: null, xiaomiFamily: null, deviceId, model: null, names: [], sources: ['hello'], firmware: null,
  token: { state: 'hidden', supplied: false, valid: null, fingerprint: null }, openPorts: [],
});
const f = (checkId: string, ip: string, deviceId: string | null, severity: Finding['severity'] = 'high'): Finding => ({
  checkId, severity, title: checkId, ip, deviceId, evidence: {}, remediation: 'r', references: [],
});

const report = () =>
  buildReport(
    {
      tool: { name: 'xmscan', version: '0.1.0' },
      startedAt: '2026-11-26T12:00:00.000Z',
      devices: [dev('10.0.0.10', '123', '04:CF:8C:00:00:10'), dev('10.0.0.20', null, '28:6C:07:00:00:20'), dev('10.0.0.30', '300', null)],
      checks: [],
      findings: [f('telnet-open', '10.0.0.10', '123', 'critical'), f('http-admin-open', '10.0.0.20', null, 'medium'), f('telnet-open', '10.0.0.30', '300', 'critical')],
    },
    clock,
  );

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof ReportError ? e.code : 'not a ReportError';
  }
  return undefined;
};

describe('parseIgnoreFile', () => {
  it('reads YAML under `ignore:` and a top-level list, JSON too', () => {
    const yaml = `ignore:\n  - check: telnet-open\n    device: 123\n    reason: lab box\n    expires: 2027-01-31\n  - check: "*"\n    device: 28-6c-07-00-00-20\n    reason: guest plug\n`;
    const e = parseIgnoreFile(yaml);
    expect(e).toHaveLength(2);
    expect(e[0]).toEqual({ check: 'telnet-open', device: '123', reason: 'lab box', expires: '2027-01-31', expiresAtMs: Date.UTC(2027, 0, 31) + 86_400_000 });
    expect(e[1]!.expires).toBeNull();
    const json = JSON.stringify([{ checkId: 'telnet-open', ip: '10.0.0.10', reason: 'x', expires: '2027-01-31T10:00:00Z' }]);
    const j = parseIgnoreFile(json);
    expect(j[0]).toMatchObject({ check: 'telnet-open', device: '10.0.0.10', expires: '2027-01-31T10:00:00.000Z', expiresAtMs: Date.UTC(2027, 0, 31, 10) });
    expect(parseIgnoreFile('')).toEqual([]);
    expect(parseIgnoreFile('ignore: []')).toEqual([]);
  });

  it('rejects bad files with REPORT_ERR_BAD_IGNORE naming the entry', () => {
    expect(code(() => parseIgnoreFile('- check: telnet-open\n'))).toBe('REPORT_ERR_BAD_IGNORE'); // no reason
    expect(code(() => parseIgnoreFile('- reason: why\n'))).toBe('REPORT_ERR_BAD_IGNORE'); // no check
    expect(code(() => parseIgnoreFile('- {check: a, reason: b, expires: 2027-02-30}'))).toBe('REPORT_ERR_BAD_IGNORE');
    expect(code(() => parseIgnoreFile('- {check: a, reason: b, expires: soon}'))).toBe('REPORT_ERR_BAD_IGNORE');
    expect(code(() => parseIgnoreFile('ignore: 5'))).toBe('REPORT_ERR_BAD_IGNORE');
    expect(code(() => parseIgnoreFile('- 5'))).toBe('REPORT_ERR_BAD_IGNORE');
    expect(code(() => parseIgnoreFile('{ not: [valid'))).toBe('REPORT_ERR_BAD_IGNORE');
    expect(code(() => parseIgnoreFile('- {check: [a], reason: b}'))).toBe('REPORT_ERR_BAD_IGNORE');
    try {
      parseIgnoreFile('- {check: a, reason: b}\n- {check: c}\n', 'mine.yaml');
    } catch (e) {
      expect((e as Error).message).toContain('mine.yaml entry 2');
    }
  });

  it('bounds alias expansion (billion laughs) and size', () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nignore: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n';
    expect(code(() => parseIgnoreFile(bomb))).toBe('REPORT_ERR_BAD_IGNORE');
    expect(code(() => parseIgnoreFile('#'.repeat((1 << 20) + 1)))).toBe('REPORT_ERR_BAD_IGNORE');
  });
});

describe('applyIgnore', () => {
  it('suppresses by check + device id, MAC (any notation) or IP; keeps the rest; recomputes the summary', () => {
    const entries = parseIgnoreFile('- {check: telnet-open, device: "123", reason: lab box}\n- {check: http-admin-open, device: 286c.0700.0020, reason: guest}\n');
    const r = applyIgnore(report(), entries, NOW);
    expect(r.report.findings.map((x) => `${x.checkId}@${x.ip}`)).toEqual(['telnet-open@10.0.0.30']);
    expect(r.report.suppressed?.map((s) => [s.finding.checkId, s.finding.ip, s.reason])).toEqual([
      ['telnet-open', '10.0.0.10', 'lab box'],
      ['http-admin-open', '10.0.0.20', 'guest'],
    ]);
    expect(r.report.summary.findingsBySeverity).toMatchObject({ critical: 1, medium: 0 });
    expect(r.unused).toEqual([]);
  });

  it('an entry without a device applies to every device; IP works; a non-matching entry is unused', () => {
    const r = applyIgnore(report(), parseIgnoreFile('- {check: telnet-open, reason: all}\n- {check: x, device: 10.0.0.20, reason: typo}\n'), NOW);
    expect(r.report.findings.map((x) => x.checkId)).toEqual(['http-admin-open']);
    expect(r.unused.map((e) => e.check)).toEqual(['x']);
    const byIp = applyIgnore(report(), parseIgnoreFile('- {check: http-admin-open, device: 10.0.0.20, reason: r}'), NOW);
    expect(byIp.suppressed).toHaveLength(1);
  });

  it('expired entries stop suppressing and are reported as warnings; a date is valid through its day', () => {
    const entries = parseIgnoreFile('- {check: telnet-open, device: "123", reason: until fixed, expires: 2026-11-25}\n- {check: telnet-open, device: "300", reason: today, expires: 2026-11-26}\n');
    const r = applyIgnore(report(), entries, NOW);
    expect(r.expired.map((e) => e.device)).toEqual(['123']);
    expect(r.report.findings.map((x) => x.deviceId)).toEqual(['123', null]); // 123's telnet + the plug's web port
    expect(r.report.suppressed).toEqual([{ finding: expect.objectContaining({ deviceId: '300' }), reason: 'today', expires: '2026-11-26' }]);
    expect(r.report.warnings).toEqual([expect.objectContaining({ code: 'REPORT_WARN_IGNORE_EXPIRED', message: expect.stringContaining('expired on 2026-11-25') })]);
    const later = applyIgnore(report(), entries, new Date('2026-11-27T00:00:00.000Z'));
    expect(later.expired).toHaveLength(2);
    expect(later.report.suppressed).toBeUndefined();
  });

  it('returns the report unchanged (same object) when nothing matches or expires; input never mutated', () => {
    const rep = report();
    const before = JSON.stringify(rep);
    expect(applyIgnore(rep, [], NOW).report).toBe(rep);
    applyIgnore(rep, parseIgnoreFile('- {check: telnet-open, reason: all}'), NOW);
    expect(JSON.stringify(rep)).toBe(before);
  });
});
