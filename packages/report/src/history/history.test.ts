import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../build.js';
import { ReportError } from '../errors.js';
import type { DeviceReport, ScanReport } from '../schema.js';
import { openSqlite } from './sqlite.js';
import { openHistory } from './store.js';

const root = mkdtempSync(join(tmpdir(), 'xmscan-history-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `case${++n}`, 'xmscan', 'history.sqlite');

// A token as a real scan would have learned it; the report carries only its fingerprint.
const TOKEN = '0bffcc93832c692bf71d0ea8000e5bea';

function report(startedAt: string, extra: Partial<DeviceReport> = {}): ScanReport {
  const d: DeviceReport = {
    ip: '10.0.0.10', mac: '04:CF:8C:12:34:56', vendor: null, xiaomiFamily: 'strong', deviceId: '268435501', model: 'zhimi.airpurifier.ma4',
    names: ['Purifier'], sources: ['hello'], firmware: { version: '2.1.5_0021', hardware: null, wifi: null, mcu: null },
    token: { state: 'exposed-confirmed', supplied: true, valid: true, fingerprint: 'tok:1a2b3c4d5e6f' }, openPorts: [], ...extra,
  };
  return buildReport(
    {
      tool: { name: 'xmscan', version: '0.1.0' }, startedAt, finishedAt: startedAt, devices: [d], checks: [],
      findings: [{ checkId: 'miio-token-exposed', severity: 'critical', title: 't', ip: d.ip, deviceId: d.deviceId, evidence: { tokenFingerprint: 'tok:1a2b3c4d5e6f' }, remediation: 'r', references: [] }],
    },
    { now: () => startedAt },
  );
}

const errCode = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof ReportError ? e.code : String(e);
  }
  return undefined;
};

describe('history store', () => {
  it('adds, lists, gets and returns the latest scans (oldest first)', () => {
    const h = openHistory(fresh());
    try {
      expect(h.count()).toBe(0);
      expect(h.latest(2)).toEqual([]);
      const a = report('2026-11-25T10:00:00.000Z');
      const b = report('2026-11-26T10:00:00.000Z', { ip: '10.0.0.11' });
      expect(h.addScan(a)).toBe(1);
      expect(h.addScan(b)).toBe(2);
      expect(h.addScan(b)).toBe(3);
      expect(h.getScan(1)).toEqual(JSON.parse(JSON.stringify(a)));
      expect(h.getScan(99)).toBeNull();
      expect(h.latest(2).map((s) => [s.id, s.report.devices[0]!.ip])).toEqual([[2, '10.0.0.11'], [3, '10.0.0.11']]);
      const list = h.listScans();
      expect(list.map((s) => s.id)).toEqual([1, 2, 3]);
      expect(list[0]).toEqual({ id: 1, startedAt: a.startedAt, finishedAt: a.finishedAt, toolVersion: '0.1.0', devices: 1, findingsBySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 1 }, suppressed: 0, incomplete: false });
      expect(h.listScans({ limit: 2 }).map((s) => s.id)).toEqual([2, 3]);
      expect(h.integrityCheck()).toBe('ok');
    } finally {
      h.close();
    }
  });

  it('uses WAL, file 0600 and a created directory 0700 (-wal/-shm too)', () => {
    const p = fresh();
    const h = openHistory(p);
    h.addScan(report('2026-11-25T10:00:00.000Z'));
    const db = openSqlite(p);
    expect(db.pragma('journal_mode')).toBe('wal');
    db.close();
    expect(statSync(p).mode & 0o777).toBe(0o600);
    expect(statSync(join(p, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(join(p, '..', '..')).mode & 0o777).toBe(0o700);
    for (const side of ['-wal', '-shm']) if (existsSync(p + side)) expect(statSync(p + side).mode & 0o777, side).toBe(0o600);
    h.close();
  });

  it('never writes a raw token: not in the DB, WAL or SHM bytes; refuses a report that holds one', () => {
    const p = fresh();
    const h = openHistory(p);
    h.addScan(report('2026-11-25T10:00:00.000Z'), { secrets: [TOKEN] });
    // A report that leaked the token (a redaction bug elsewhere) is refused, and nothing is written.
    const leaky = report('2026-11-26T10:00:00.000Z', { names: [`token ${TOKEN}`] });
    expect(errCode(() => h.addScan(leaky, { secrets: [TOKEN] }))).toBe('REPORT_ERR_SECRET_LEAK');
    const leaky2 = { ...leaky, devices: [{ ...leaky.devices[0]!, names: [], token: { ...leaky.devices[0]!.token, value: TOKEN } as never }] };
    expect(errCode(() => h.addScan(leaky2))).toBe('REPORT_ERR_SECRET_LEAK');
    expect(h.count()).toBe(1);
    h.close();
    const bytes = Buffer.concat(['', '-wal', '-shm'].filter((s) => existsSync(p + s)).map((s) => readFileSync(p + s)));
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from('tok:1a2b3c4d5e6f'))).toBe(true); // the fingerprint is there…
    for (const form of [TOKEN, TOKEN.toUpperCase()]) expect(bytes.includes(Buffer.from(form, 'latin1'))).toBe(false);
    expect(bytes.includes(Buffer.from(TOKEN, 'hex'))).toBe(false); // …the token, in no form
  });

  it('writes a scan in one transaction: a failure half-way leaves nothing', () => {
    const h = openHistory(fresh());
    h.addScan(report('2026-11-25T10:00:00.000Z'));
    // A device without a token object makes the device insert throw after the scans row was inserted.
    const broken = report('2026-11-26T10:00:00.000Z');
    const bad = { ...broken, devices: [...broken.devices, { ...broken.devices[0]!, token: undefined as never }] };
    expect(errCode(() => h.addScan(bad))).toBe('REPORT_ERR_HISTORY');
    expect(h.count()).toBe(1);
    expect(h.addScan(report('2026-11-27T10:00:00.000Z'))).toBe(2); // the rolled-back row left no trace, not even its id
    expect(h.listScans().map((s) => s.id)).toEqual([1, 2]);
    expect(h.getScan(2)!.startedAt).toBe('2026-11-27T10:00:00.000Z');
    h.close();
  });

  it('read-only: a missing file is an error and nothing is created; a plain file is REPORT_ERR_HISTORY', () => {
    const p = fresh();
    expect(errCode(() => openHistory(p, { readonly: true }))).toBe('REPORT_ERR_HISTORY');
    expect(existsSync(p)).toBe(false);
    const junk = join(root, 'junk.sqlite');
    writeFileSync(junk, 'this is not a database, just text that is long enough to have a header '.repeat(20));
    expect(errCode(() => openHistory(junk))).toBe('REPORT_ERR_HISTORY');
    expect(errCode(() => openHistory(junk, { readonly: true }))).toBe('REPORT_ERR_HISTORY');
  });

  it('read-only open sees the scans of a database written and closed before', () => {
    const p = fresh();
    const w = openHistory(p);
    w.addScan(report('2026-11-25T10:00:00.000Z'));
    w.close();
    const r = openHistory(p, { readonly: true });
    expect(r.count()).toBe(1);
    expect(errCode(() => r.addScan(report('2026-11-26T10:00:00.000Z')))).toBe('REPORT_ERR_HISTORY');
    r.close();
  });

  it('refuses a database from a newer xmscan and a corrupt stored report', () => {
    const p = fresh();
    openHistory(p).close();
    const db = openSqlite(p);
    db.pragma('user_version = 99');
    db.close();
    expect(errCode(() => openHistory(p))).toBe('REPORT_ERR_HISTORY');
    const q = fresh();
    const h = openHistory(q);
    h.addScan(report('2026-11-25T10:00:00.000Z'));
    const raw = openSqlite(q);
    raw.prepare("UPDATE scans SET report_json = '{\"schemaVersion\":2}' WHERE id = 1").run();
    raw.close();
    expect(errCode(() => h.getScan(1))).toBe('REPORT_ERR_HISTORY');
    h.close();
  });
});
