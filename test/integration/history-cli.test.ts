/**
 * Issue 5 end to end on loopback: the built `xmscan` against the simulated demo home. Scans with tokens go
 * into a history database that never holds a raw token (checked on the file bytes: db, -wal, -shm, in hex,
 * upper-case hex, base64); `--ignore` suppresses (listed with the reason, schema-valid, not counted for
 * --fail-on) and reports expired entries; exit codes of scan / diff / history; `--no-history`; the default
 * XDG path with modes 0600/0700. Isolated namespace only (discovery multicasts).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '@xmscan/simulator';
import { reportValidator, secretNeedles } from './scan-support.js';

const BIN = fileURLToPath(new URL('../../packages/scanner/bin/xmscan.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../../packages/scanner/dist/cli/main.js', import.meta.url));
const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);
const why = !isolated ? 'needs an isolated network namespace (pnpm test as root)' : !existsSync(BUILT) ? 'scanner not built' : null;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

let lockFile = '';

function xmscan(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  const t0 = Date.now();
  // Our own scan lock: another test run on this machine must not make a scan here skip (it exits 0 silently).
  const full = args[0] === 'scan' && !args.includes('--help') ? [...args, '--lock-file', lockFile] : args;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...full], { timeout: 40_000, maxBuffer: 32 * 1024 * 1024, env }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

describe.skipIf(why !== null)(`history, ignore and exit codes on loopback${why ? ` (skipped: ${why})` : ''}`, () => {
  let sim: RunningSimulator;
  let dir = '';
  let db = '';
  let tokens: string[] = [];
  const scanArgs = (): string[] => ['scan', '--target', '127.0.0.0/24', '--tokens', join(dir, 'tokens.json'), '--history', db];
  let plain: Run;
  let ignored: Run;
  let noHistory: Run;
  let xdg: Run;
  let xdgHome = '';

  beforeAll(async () => {
    sim = await startSimulator({ profiles: 'demo', loopbackMulticast: true });
    dir = mkdtempSync(join(tmpdir(), 'xmscan-history-cli-'));
    db = join(dir, 'state', 'history.sqlite');
    lockFile = join(dir, 'scan.lock');
    xdgHome = join(dir, 'xdg');
    const devices = sim.manifest.devices as unknown as { did: number; token: string; address: string }[];
    tokens = devices.map((d) => d.token);
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify(devices.map((d) => ({ did: String(d.did), token: d.token, ip: d.address }))));
    // Suppress everything critical/high by check id on every device, plus one expired entry.
    plain = await xmscan([...scanArgs(), '--json']);
    const doc = JSON.parse(plain.stdout) as { findings: { checkId: string; severity: string; ip: string }[] };
    const loud = doc.findings.filter((f) => f.severity === 'critical' || f.severity === 'high');
    const entries = [...new Set(loud.map((f) => `${f.checkId} ${f.ip}`))].map((k) => {
      const [check, device] = k.split(' ');
      return { check, device, reason: 'accepted in test' };
    });
    entries.push({ check: 'telnet-open', device: '127.0.0.99', reason: 'old box', expires: '2020-01-31' } as never);
    writeFileSync(join(dir, 'ignore.json'), JSON.stringify({ ignore: entries }));
    ignored = await xmscan([...scanArgs(), '--json', '--ignore', join(dir, 'ignore.json')]);
    noHistory = await xmscan(['scan', '--target', '127.0.0.0/24', '--no-history', '--fail-on', 'none', '--json'], { ...process.env, XDG_DATA_HOME: xdgHome });
    xdg = await xmscan(['scan', '--target', '127.0.0.0/24', '--fail-on', 'none', '--json'], { ...process.env, XDG_DATA_HOME: xdgHome });
  }, 180_000);

  afterAll(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scan exits 1 with findings at/above high (default --fail-on), 0 when they are all suppressed', () => {
    expect(plain.code, plain.stderr.slice(-500)).toBe(1);
    expect(ignored.code, ignored.stderr.slice(-500)).toBe(0);
    expect(noHistory.code).toBe(0);
  });

  it('suppressed findings are listed with their reason, schema-valid; the expired entry is a warning', () => {
    const doc = JSON.parse(ignored.stdout) as { findings: { severity: string }[]; suppressed: { reason: string; finding: { severity: string } }[]; warnings?: { code: string; message: string }[]; summary: { findingsBySeverity: Record<string, number> } };
    expect(reportValidator()(doc)).toEqual([]);
    expect(doc.suppressed.length).toBeGreaterThanOrEqual(2);
    expect(doc.suppressed.every((s) => s.reason === 'accepted in test')).toBe(true);
    expect(doc.findings.some((f) => f.severity === 'critical' || f.severity === 'high')).toBe(false);
    expect(doc.summary.findingsBySeverity['critical']).toBe(0);
    expect(doc.warnings?.filter((w) => w.code === 'REPORT_WARN_IGNORE_EXPIRED').map((w) => w.message)).toEqual([expect.stringContaining('expired on 2020-01-31')]);
    expect(ignored.stderr).toContain('ignore entry expired');
  });

  it('the history file never holds a raw token (db, -wal, -shm bytes), only fingerprints; modes 0600/0700', () => {
    const files = ['', '-wal', '-shm'].map((s) => db + s).filter((f) => existsSync(f));
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    expect(bytes.length).toBeGreaterThan(4096);
    expect(bytes.includes(Buffer.from('tok:'))).toBe(true);
    for (const needle of secretNeedles(tokens)) expect(bytes.includes(Buffer.from(needle, 'latin1')), `history holds ${needle.slice(0, 6)}…`).toBe(false);
    for (const t of tokens) expect(bytes.includes(Buffer.from(t, 'hex'))).toBe(false);
    for (const f of files) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    expect(statSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
  });

  it('--no-history stores nothing; the default file is $XDG_DATA_HOME/xmscan/history.sqlite (0600 in a 0700 dir)', () => {
    expect(xdg.code, xdg.stderr.slice(-300)).toBe(0);
    const f = join(xdgHome, 'xmscan', 'history.sqlite');
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(statSync(join(xdgHome, 'xmscan')).mode & 0o777).toBe(0o700);
  });

  it('history lists the scans (table and --json); --no-history added none', async () => {
    const j = await xmscan(['history', '--history', db, '--json']);
    expect(j.code).toBe(0);
    const h = JSON.parse(j.stdout) as { scans: { id: number; suppressed: number; findingsBySeverity: Record<string, number> }[] };
    expect(h.scans.map((s) => s.id)).toEqual([1, 2]);
    expect(h.scans[0]!.findingsBySeverity['critical']).toBeGreaterThan(0);
    expect(h.scans[1]!.suppressed).toBeGreaterThan(0);
    const x = await xmscan(['history', '--history', join(xdgHome, 'xmscan', 'history.sqlite')]);
    expect(x.stdout.trim().split('\n')).toHaveLength(2); // header + the one scan (the --no-history run stored none)
  });

  it('diff: same scan → 0 and "no changes"; suppression is not a resolution; bad id → 2', async () => {
    const same = await xmscan(['diff', '1', '1', '--history', db]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('no changes');
    const last = await xmscan(['diff', '--history', db, '--json']);
    const d = JSON.parse(last.stdout) as { from: { scanId: number }; to: { scanId: number }; changes: { kind: string }[] };
    expect([d.from.scanId, d.to.scanId]).toEqual([1, 2]);
    expect(d.changes.filter((c) => c.kind === 'finding-resolved')).toEqual([]);
    expect(last.code).toBe(d.changes.length > 0 ? 1 : 0);
    const md = await xmscan(['diff', '1', '2', '--history', db, '--format', 'markdown']);
    expect(md.stdout.startsWith('# xmscan diff\n')).toBe(true);
    const bad = await xmscan(['diff', '1', '99', '--history', db]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('REPORT_ERR_NO_SCAN');
    const none = await xmscan(['diff', '--history', join(dir, 'nothing.sqlite')]);
    expect(none.code).toBe(2);
  });

  it('usage errors exit 2 before scanning; --help documents the exit codes', async () => {
    writeFileSync(join(dir, 'bad.yaml'), '- check: telnet-open\n');
    const badIgnore = await xmscan(['scan', '--target', '127.0.0.1', '--no-history', '--ignore', join(dir, 'bad.yaml')]);
    expect(badIgnore.code).toBe(2);
    expect(badIgnore.stderr).toContain('REPORT_ERR_BAD_IGNORE');
    expect(badIgnore.ms).toBeLessThan(1500); // nothing was scanned (discovery alone takes 1.5 s)
    const badFail = await xmscan(['scan', '--target', '127.0.0.1', '--no-history', '--fail-on', 'severe']);
    expect(badFail.code).toBe(2);
    for (const cmd of ['scan', 'diff']) {
      const h = await xmscan([cmd, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*\n\s+2 /);
    }
  });
});
