import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, openHistory, type ScanReport } from '@xmscan/report';
import { loadDiffSides } from './commands/diff.js';
import { listHistory, renderHistoryTable } from './commands/history.js';
import { defaultHistoryPath, historyPath, secretValues, storeHistory } from './history.js';
import { applyIgnoreStep, loadIgnore } from './ignore.js';

const dir = mkdtempSync(join(tmpdir(), 'xmscan-cli-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (startedAt: string, fw = '1.0'): ScanReport =>
  buildReport(
    {
      tool: { name: 'xmscan', version: '0' },
      startedAt,
      devices: [{ ip: '10.0.0.1', mac: null, vendor: null, xiaomiFamily: null, deviceId: '7', model: 'm', names: [], sources: [], firmware: { version: fw, hardware: null, wifi: null, mcu: null }, token: { state: 'hidden', supplied: false, valid: null, fingerprint: null }, openPorts: [] }],
      checks: [],
      findings: [{ checkId: 'telnet-open', severity: 'critical', title: 't', ip: '10.0.0.1', deviceId: '7', evidence: {}, remediation: 'r', references: [] }],
    },
    { now: () => startedAt },
  );
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
};

describe('history path', () => {
  it('uses an absolute $XDG_DATA_HOME, else ~/.local/share (a relative XDG_DATA_HOME is ignored, per the spec)', () => {
    expect(defaultHistoryPath({ XDG_DATA_HOME: '/data' }, '/home/u')).toBe('/data/xmscan/history.sqlite');
    expect(defaultHistoryPath({}, '/home/u')).toBe('/home/u/.local/share/xmscan/history.sqlite');
    expect(defaultHistoryPath({ XDG_DATA_HOME: '' }, '/home/u')).toBe('/home/u/.local/share/xmscan/history.sqlite');
    expect(defaultHistoryPath({ XDG_DATA_HOME: 'rel/dir' }, '/home/u')).toBe('/home/u/.local/share/xmscan/history.sqlite');
  });
  it('--history PATH wins; --no-history is null', () => {
    expect(historyPath({ history: '/x/h.sqlite' })).toBe('/x/h.sqlite');
    expect(historyPath({ history: false })).toBeNull();
    expect(historyPath({}, { XDG_DATA_HOME: '/d' })).toBe('/d/xmscan/history.sqlite');
  });
});

describe('history step, history and diff commands', () => {
  const db = join(dir, 'h', 'history.sqlite');

  it('stores nothing with --no-history, stores with --history; passes raw secrets for the leak check', () => {
    expect(storeHistory(report('2026-11-25T00:00:00.000Z'), { history: false })).toBeNull();
    expect(existsSync(db)).toBe(false);
    expect(storeHistory(report('2026-11-25T00:00:00.000Z'), { history: db })).toBe(1);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    const leaky = report('2026-11-25T00:00:01.000Z', '0bffcc93832c692bf71d0ea8000e5bea');
    expect(code(() => storeHistory(leaky, { history: db }, [{ ip: '10.0.0.1', deviceId: '7', mac: null, token: '0bffcc93832c692bf71d0ea8000e5bea' }]))).toBe('REPORT_ERR_SECRET_LEAK');
    expect(secretValues([{ ip: '1', deviceId: null, mac: null, token: 'aa', wifiBssid: 'bb', routerSerial: 'cc' }])).toEqual(['aa', 'cc']);
    expect(storeHistory(report('2026-11-26T00:00:00.000Z', '2.0'), { history: db })).toBe(2);
  });

  it('history lists scans; a missing file lists nothing', () => {
    const { scans } = listHistory({ history: db });
    expect(scans.map((s) => [s.id, s.findingsBySeverity.critical])).toEqual([[1, 1], [2, 1]]);
    expect(renderHistoryTable(scans, db)).toMatch(/^ +ID +STARTED \(UTC\) +DEVICES +CRITICAL +HIGH +MEDIUM +LOW +INFO +SUPPR\n +1 +2026-11-25T00:00:00.000Z +1 +1 +0/);
    expect(listHistory({ history: join(dir, 'none.sqlite') }).scans).toEqual([]);
    expect(existsSync(join(dir, 'none.sqlite'))).toBe(false);
  });

  it('diff sides: default last two, A vs last, two ids, report files; errors are REPORT_ERR_NO_SCAN / BAD_REPORT', () => {
    const [a, b] = loadDiffSides([], { history: db });
    expect([a.scanId, b.scanId]).toEqual([1, 2]);
    expect(loadDiffSides(['2'], { history: db }).map((s) => s.scanId)).toEqual([2, 2]);
    expect(loadDiffSides(['2', '1'], { history: db }).map((s) => s.scanId)).toEqual([2, 1]);
    const file = join(dir, 'r.json');
    writeFileSync(file, JSON.stringify(report('2026-11-27T00:00:00.000Z', '3.0')));
    const [x, y] = loadDiffSides(['1', file], { history: db });
    expect([x.scanId, y.scanId, y.report.devices[0]!.firmware!.version]).toEqual([1, undefined, '3.0']);
    expect(loadDiffSides([file, file], { history: false })[0].report.startedAt).toBe('2026-11-27T00:00:00.000Z');
    expect(code(() => loadDiffSides(['9'], { history: db }))).toBe('REPORT_ERR_NO_SCAN');
    expect(code(() => loadDiffSides([], { history: join(dir, 'missing.sqlite') }))).toBe('REPORT_ERR_NO_SCAN');
    const one = join(dir, 'one', 'h.sqlite');
    storeHistory(report('2026-11-25T00:00:00.000Z'), { history: one });
    expect(code(() => loadDiffSides([], { history: one }))).toBe('REPORT_ERR_NO_SCAN');
    writeFileSync(join(dir, 'junk.json'), '{"hello":1}');
    expect(code(() => loadDiffSides([join(dir, 'junk.json'), file], { history: false }))).toBe('REPORT_ERR_BAD_REPORT');
    const h = openHistory(db, { readonly: true });
    expect(h.count()).toBe(2);
    h.close();
  });
});

describe('ignore step', () => {
  it('reads the file before the scan; a missing or bad file is REPORT_ERR_BAD_IGNORE', () => {
    expect(loadIgnore({})).toBeNull();
    expect(code(() => loadIgnore({ ignore: join(dir, 'nope.yaml') }))).toBe('REPORT_ERR_BAD_IGNORE');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, '- check: telnet-open\n');
    expect(code(() => loadIgnore({ ignore: bad }))).toBe('REPORT_ERR_BAD_IGNORE');
  });
  it('suppresses, and logs expired entries as warnings', () => {
    const f = join(dir, 'ok.yaml');
    writeFileSync(f, 'ignore:\n  - {check: telnet-open, device: "7", reason: lab}\n  - {check: x, reason: old, expires: 2020-01-01}\n');
    const logged: string[] = [];
    const logger = { warn: (_o: object, m: string) => logged.push('warn ' + m), info: (_o: object, m: string) => logged.push('info ' + m) };
    const out = applyIgnoreStep(report('2026-11-25T00:00:00.000Z'), loadIgnore({ ignore: f }), logger, new Date('2026-11-26T00:00:00Z'));
    expect(out.findings).toEqual([]);
    expect(out.suppressed?.[0]?.reason).toBe('lab');
    expect(out.warnings?.map((w) => w.code)).toEqual(['REPORT_WARN_IGNORE_EXPIRED']);
    expect(logged).toEqual(['warn ignore entry expired: it no longer suppresses', 'info findings suppressed by the ignore file']);
    const r = report('2026-11-25T00:00:00.000Z');
    expect(applyIgnoreStep(r, null)).toBe(r);
  });
});
