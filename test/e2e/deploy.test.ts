/**
 * Scheduled use (issue 6): the shipped systemd units verify; the service's ExecStart, run as systemd
 * would run it (its Environment= lines, %E/%S/%C and $RUNTIME_DIRECTORY mapped to temporary directories),
 * scans the LAN lab quietly, stores every run in the history; two runs started together: one scans, the
 * other reports the lock and exits 0 (or waits with --wait).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnavailableReason, resolveProfilesPath, simulatorEntry, startLab, type Lab, type RunResult } from '../lab/lab.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const UNITS = join(ROOT, 'deploy', 'systemd');
const BIN = join(ROOT, 'packages/scanner/bin/xmscan.mjs');
const haveAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/** `Key=value` lines of one unit file (comments and sections dropped; repeated keys kept in order). */
function unitEntries(file: string): Array<[string, string]> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';') && !l.startsWith('['))
    .map((l) => {
      const i = l.indexOf('=');
      return [l.slice(0, i), l.slice(i + 1)] as [string, string];
    });
}

describe('deploy/systemd units', () => {
  it.skipIf(!haveAnalyze)('systemd-analyze verify passes', () => {
    const r = spawnSync('systemd-analyze', ['verify', join(UNITS, 'xmscan.service'), join(UNITS, 'xmscan.timer')], { encoding: 'utf8' });
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('is hardened and quiet', () => {
    const e = new Map<string, string[]>();
    for (const [k, v] of unitEntries(join(UNITS, 'xmscan.service'))) e.set(k, [...(e.get(k) ?? []), v]);
    const one = (k: string) => e.get(k)?.at(-1);
    expect(one('DynamicUser')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('StateDirectory')).toBe('xmscan');
    expect(one('CacheDirectory')).toBe('xmscan');
    expect(one('RuntimeDirectory')).toBe('xmscan');
    expect(one('ExecStart')).toMatch(/xmscan scan .*--quiet/);
    expect(one('ExecStart')).not.toMatch(/--no-history/);
    const timer = new Map(unitEntries(join(UNITS, 'xmscan.timer')));
    expect(timer.get('OnCalendar')).toBeTruthy();
    expect(timer.get('Persistent')).toBe('true');
  });

  it('the cron example runs the same quiet scan', () => {
    const cron = readFileSync(join(ROOT, 'deploy', 'cron', 'xmscan.cron'), 'utf8');
    expect(cron).toMatch(/^\S+ \S+ \S+ \S+ \S+ xmscan xmscan scan --quiet$/m);
  });
});

function labSkip(): string | null {
  const why = labUnavailableReason();
  if (why) return why;
  if (!existsSync(simulatorEntry())) return 'simulator not built';
  if (!existsSync(resolveProfilesPath('lab'))) return 'no lab profiles';
  return null;
}
const labWhy = labSkip();

describe.skipIf(labWhy !== null)('the service ExecStart against the LAN lab', () => {
  let lab: Lab;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let argv: string[];

  /** The unit's ExecStart and environment, with systemd's directories mapped under `dir`. */
  function fromUnit(): { argv: string[]; env: NodeJS.ProcessEnv } {
    const spec: Record<string, string> = { '%E': join(dir, 'etc'), '%S': join(dir, 'var/lib'), '%C': join(dir, 'var/cache'), '%t': join(dir, 'run') };
    const subst = (s: string) => s.replace(/%[ESCt]/g, (m) => spec[m]!);
    const entries = unitEntries(join(UNITS, 'xmscan.service'));
    const out: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: join(dir, 'nohome') };
    for (const [k, v] of entries) {
      if (k !== 'Environment') continue;
      const i = v.indexOf('=');
      out[v.slice(0, i)] = subst(v.slice(i + 1));
    }
    // What StateDirectory=/CacheDirectory=/RuntimeDirectory=/ConfigurationDirectory= create and export.
    for (const [k, base, envName] of [
      ['StateDirectory', '%S', 'STATE_DIRECTORY'],
      ['CacheDirectory', '%C', 'CACHE_DIRECTORY'],
      ['RuntimeDirectory', '%t', 'RUNTIME_DIRECTORY'],
      ['ConfigurationDirectory', '%E', 'CONFIGURATION_DIRECTORY'],
    ] as const) {
      const name = entries.find(([key]) => key === k)?.[1];
      if (!name) continue;
      const path = join(spec[base]!, name);
      mkdirSync(path, { recursive: true, mode: 0o700 });
      out[envName] = path;
    }
    const exec = entries.find(([k]) => k === 'ExecStart')![1].split(/\s+/);
    // `/usr/bin/env xmscan …` → this checkout's bin.
    expect(exec.slice(0, 2)).toEqual(['/usr/bin/env', 'xmscan']);
    return { argv: [BIN, ...exec.slice(2)], env: out };
  }

  const runUnit = (extra: string[] = []): Promise<RunResult> => lab.exec(process.execPath, [...argv, ...extra], { env, timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xmscan-deploy-'));
    lab = await startLab({ profiles: 'lab', devices: 3 });
    ({ argv, env } = fromUnit());
    // Settings go in the config file the unit points at (XDG_CONFIG_HOME=%E): tokens and a short window.
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify(lab.manifest.devices.map((d) => ({ did: String(d.did), token: d.token, ip: d.address }))));
    writeFileSync(join(env['CONFIGURATION_DIRECTORY']!, 'config.yaml'), `scan:\n  tokens: [${JSON.stringify(tokens)}]\n  timeout: 1500\n`);
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scans quietly and stores each run in the history under StateDirectory', async () => {
    const first = await runUnit();
    expect([0, 1], first.stderr).toContain(first.code); // 1 = findings at/above --fail-on (SuccessExitStatus=1)
    expect(first.stdout).toBe(''); // --quiet
    const db = join(env['STATE_DIRECTORY']!, 'history.sqlite');
    expect(existsSync(db)).toBe(true);
    const second = await runUnit();
    expect([0, 1], second.stderr).toContain(second.code);
    const h = await lab.exec(process.execPath, [BIN, 'history', '--json', '--history', db], { env });
    const scans = (JSON.parse(h.stdout) as { scans: { id: number; devices: number }[] }).scans;
    expect(scans.map((s) => s.id)).toEqual([1, 2]);
    expect(scans[1]!.devices).toBeGreaterThanOrEqual(3);
    // The lock is gone after the runs.
    expect(existsSync(join(env['RUNTIME_DIRECTORY']!, 'scan.lock'))).toBe(false);
  }, 120_000);

  it('two unit runs started together (quiet): both exit as documented, exactly one scan is stored', async () => {
    const db = join(dir, 'together.sqlite');
    const [a, b] = await Promise.all([runUnit(['--history', db]), runUnit(['--history', db])]);
    for (const r of [a, b]) {
      expect([0, 1], r.stderr).toContain(r.code);
      expect(r.stdout).toBe('');
    }
    const h = await lab.exec(process.execPath, [BIN, 'history', '--json', '--history', db], { env });
    expect((JSON.parse(h.stdout) as { scans: unknown[] }).scans.length).toBe(1);
  }, 120_000);

  it('without --quiet the second run says so, exits 0 and does not scan; with --wait it scans after the first', async () => {
    const noQuiet = argv.filter((x) => x !== '--quiet');
    const run = (extra: string[]) => lab.exec(process.execPath, [...noQuiet, '--no-history', '--json', ...extra], { env, timeoutMs: 60_000 });
    const [a, b] = await Promise.all([run([]), run([])]);
    const locked = [a, b].filter((r) => /another xmscan scan is running \(pid \d+/.test(r.stderr));
    expect(locked.length).toBe(1);
    expect(locked[0]!.code).toBe(0);
    expect(locked[0]!.stdout).toBe('');
    expect(locked[0]!.stderr).toMatch(/use --wait/);
    const ran = a === locked[0] ? b : a;
    expect(JSON.parse(ran.stdout).devices.length).toBeGreaterThanOrEqual(3);

    const [c, d] = await Promise.all([run(['--wait']), run(['--wait'])]);
    for (const r of [c, d]) {
      expect([0, 1], r.stderr).toContain(r.code);
      expect(JSON.parse(r.stdout).devices.length).toBeGreaterThanOrEqual(3);
    }
    expect([c, d].filter((r) => /waiting \(--wait\)/.test(r.stderr)).length).toBe(1);
  }, 120_000);
});
