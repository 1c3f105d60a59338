import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildReport, openHistory, type DeviceReport, type ScanReport } from '@xmscan/report';
import type { HttpRequest, HttpSend } from '../notify/index.js';
import { takeExitCode } from './common.js';
import { addNotifyOptions, applyNotifyExitCode, NOTIFY_FAILED_EXIT, runNotifyStep, scanExitWithNotify, type NotifyFlags } from './notify.js';

const TOKEN = '597137546e325664394b704c34775873';
let second = 0;
const clock = { now: () => new Date(Date.UTC(2026, 10, 26, 12, 0, 0) + 1000 * second++) };
const instant = { now: () => 0, sleep: async () => {} };

function dev(ip: string, did: string): DeviceReport {
  return { ip, mac: null, vendor: null, xiaomiFamily: null, deviceId: did, model: 'cuco.plug.v3', names: [], sources: ['hello'], firmware: null, token: { state: 'hidden', supplied: false, valid: null, fingerprint: null }, openPorts: [] };
}
const report = (devices: DeviceReport[], findings: ScanReport['findings'] = []): ScanReport =>
  buildReport({ tool: { name: 'xmscan', version: '0.1.0' }, startedAt: clock.now(), options: {}, devices, checks: [], findings }, clock);
const highFinding = { checkId: 'telnet-open', severity: 'high' as const, title: 'Telnet is open', ip: '10.0.0.1', deviceId: '1', evidence: {}, remediation: 'r', references: [] };

const logger = { lines: [] as { level: string; obj: object; msg: string }[], info(obj: object, msg: string) { this.lines.push({ level: 'info', obj, msg }); }, warn(obj: object, msg: string) { this.lines.push({ level: 'warn', obj, msg }); } };
function recorder(status = 200) {
  const sent: HttpRequest[] = [];
  const send: HttpSend = async (req) => {
    sent.push(req);
    return { status, retryAfter: null };
  };
  return { sent, send };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xmscan-notify-'));
  logger.lines = [];
  takeExitCode();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  takeExitCode();
});

function store(...reports: ScanReport[]): { file: string; ids: number[] } {
  const file = join(dir, 'h.sqlite');
  const h = openHistory(file);
  try {
    return { file, ids: reports.map((r) => h.addScan(r)) };
  } finally {
    h.close();
  }
}

const flags: NotifyFlags = { notify: ['http://127.0.0.1:1/api/webhook/SECRET-WEBHOOK-ID'] };

describe('runNotifyStep', () => {
  it('does nothing without --notify', async () => {
    const rec = recorder();
    const r = await runNotifyStep({ report: report([]) }, {}, { logger, send: rec.send });
    expect(r.skipped).toBe('no-targets');
    expect(rec.sent).toHaveLength(0);
  });

  it('compares with the scan stored before this one: one message for a new device, none for an unchanged run', async () => {
    const a = report([dev('10.0.0.1', '1')]);
    const b = report([dev('10.0.0.1', '1'), dev('10.0.0.2', '2')]);
    const c = report([dev('10.0.0.1', '1'), dev('10.0.0.2', '2')]);
    const { file, ids } = store(a, b, c);
    const rec = recorder();
    const changed = await runNotifyStep({ report: b, historyFile: file, scanId: ids[1]! }, flags, { logger, send: rec.send, clock: instant });
    expect(changed).toMatchObject({ skipped: null, sent: 1, failed: 0 });
    expect(changed.diff?.changes.map((x) => x.kind)).toEqual(['device-new']);
    expect(rec.sent).toHaveLength(1);
    expect(JSON.parse(rec.sent[0]!.body.toString())).toMatchObject({ previousStartedAt: a.startedAt, changes: [{ kind: 'device-new', device: 'did:2' }] });
    const same = await runNotifyStep({ report: c, historyFile: file, scanId: ids[2]! }, flags, { logger, send: rec.send, clock: instant });
    expect(same.skipped).toBe('no-change');
    expect(rec.sent).toHaveLength(1);
  });

  it('treats the first scan (or --no-history) as compared with nothing', async () => {
    const a = report([dev('10.0.0.1', '1')]);
    const { file, ids } = store(a);
    const rec = recorder();
    const r = await runNotifyStep({ report: a, historyFile: file, scanId: ids[0]! }, flags, { logger, send: rec.send, clock: instant });
    expect(r.sent).toBe(1);
    expect(rec.sent[0]!.body.toString()).toContain('first scan: nothing to compare with');
    const noHistory = await runNotifyStep({ report: a, historyFile: null, scanId: null }, flags, { logger, send: rec.send, clock: instant });
    expect(noHistory.sent).toBe(1);
  });

  it('reports a failed delivery on stderr and as a warning, naming the target without its secret path', async () => {
    const err: string[] = [];
    const rec = recorder(500);
    const cur = report([dev('10.0.0.1', '1')]);
    const r = await runNotifyStep({ report: cur, previous: null }, flags, { logger, send: rec.send, clock: instant, stderr: { write: (s: string) => err.push(s) } });
    expect(r).toMatchObject({ sent: 0, failed: 1 });
    expect(rec.sent).toHaveLength(3);
    expect(err.join('')).toMatch(/notification to homeassistant http:\/\/127\.0\.0\.1:1\/api\/webhook\/\*\*\* failed after 3 attempts: receiver answered HTTP 500 \[SCAN_ERR_NOTIFY_HTTP\]/);
    expect(err.join('') + JSON.stringify(logger.lines)).not.toContain('SECRET-WEBHOOK-ID');
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg === 'notification failed')).toBe(true);
    applyNotifyExitCode(r, cur, { failOn: 'high' });
    expect(takeExitCode()).toBe(NOTIFY_FAILED_EXIT);
    // a finding at or above --fail-on wins over the notification failure
    const bad = report([dev('10.0.0.1', '1')], [highFinding]);
    applyNotifyExitCode(r, bad, { failOn: 'high' });
    expect(takeExitCode()).toBe(0); // left to the exit-code step, which sets 1
    // so does a network fault under the scan (exit 2, partial report)
    const faulty = { ...cur, incomplete: true, warnings: [{ code: 'SCAN_WARN_SEND_FAILED', message: 'sends refused' }] };
    applyNotifyExitCode(r, faulty, { failOn: 'high' });
    expect(takeExitCode()).toBe(0);
  });

  it('a history it cannot read is a notification failure, not a crash', async () => {
    const err: string[] = [];
    const r = await runNotifyStep({ report: report([]), historyFile: join(dir, 'missing', 'h.sqlite'), scanId: 5 }, flags, { logger, send: recorder().send, stderr: { write: (s: string) => err.push(s) } });
    expect(r.failed).toBe(1);
    expect(err.join('')).toMatch(/could not read the previous scan/);
  });

  it('never sends the token it was told about, even if a device echoes it in base64', async () => {
    const rec = recorder();
    const err: string[] = [];
    const echo = { ...dev('10.0.0.9', '9'), names: [Buffer.from(TOKEN, 'hex').toString('base64')] };
    const r = await runNotifyStep({ report: report([echo]), previous: null, secrets: [{ ip: '10.0.0.9', deviceId: '9', mac: null, token: TOKEN }] }, flags, {
      logger,
      send: rec.send,
      stderr: { write: (s: string) => err.push(s) },
    });
    expect(r.failed).toBe(1);
    expect(rec.sent).toHaveLength(0);
    expect(err.join('')).toMatch(/SCAN_ERR_NOTIFY_UNSAFE/);
  });
});

describe('exit precedence', () => {
  it('130/143 > 2 > 1 > 3 > 0', () => {
    expect(scanExitWithNotify(130, true)).toBe(130);
    expect(scanExitWithNotify(0, false)).toBe(0);
    expect(scanExitWithNotify(0, true)).toBe(3);
    expect(scanExitWithNotify(1, true)).toBe(1);
    expect(scanExitWithNotify(2, true)).toBe(2);
  });
});

describe('--notify option', () => {
  const program = () => {
    const p = new Command('x').exitOverride();
    const cmd = p.command('scan').action(() => {});
    addNotifyOptions(cmd);
    return p;
  };
  it('is repeatable and validated before the action runs (usage error, no URL echoed)', async () => {
    const ok = program();
    await ok.parseAsync(['node', 'x', 'scan', '--notify', 'ntfy://ntfy.sh/a', '--notify', 'http://127.0.0.1/h']);
    expect(ok.commands[0]!.opts<NotifyFlags>().notify).toEqual(['ntfy://ntfy.sh/a', 'http://127.0.0.1/h']);
    await expect(program().parseAsync(['node', 'x', 'scan', '--notify', 'smtp://user:hunter2@mail/x'])).rejects.toMatchObject({ code: 'SCAN_ERR_NOTIFY_URL', message: expect.not.stringContaining('hunter2') });
  });
});
