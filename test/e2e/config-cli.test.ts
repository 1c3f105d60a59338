/**
 * Config file and XMSCAN_* env through the real CLI (issue 6). Every case ends before a socket opens:
 * a config error (exit 2) or the scope guard refusing a public target (exit 2, nothing sent), whose
 * message shows which value won. Each scan/discover also names an interface that does not exist, so
 * that even if the config were not applied, planning would stop it before any packet (this file may
 * run outside a network namespace).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BIN = join(ROOT, 'packages/scanner/bin/xmscan.mjs');
const dir = mkdtempSync(join(tmpdir(), 'xmscan-config-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const xdg = join(dir, 'xdg');
const NO_IF = ['--interface', 'xmscan-none0'];
const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);
mkdirSync(join(xdg, 'xmscan'), { recursive: true });

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env['PATH'] ?? '', HOME: join(dir, 'home'), XDG_CONFIG_HOME: xdg, XMSCAN_LOCK_FILE: join(dir, 'scan.lock'), ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!existsSync(join(ROOT, 'packages/scanner/dist/cli/main.js')))('xmscan config through the CLI', () => {
  it('the XDG config file is read; env beats it; the flag beats both', () => {
    writeFileSync(join(xdg, 'xmscan', 'config.yaml'), 'scan:\n  target: [198.51.100.1]\n');
    let r = cli(['scan', '--no-history', ...NO_IF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/198\.51\.100\.1/);
    expect(r.stderr).toMatch(/SCAN_ERR_SCOPE/);
    r = cli(['scan', '--no-history', ...NO_IF], { XMSCAN_TARGET: '198.51.100.2' });
    expect(r.stderr).toMatch(/198\.51\.100\.2/);
    expect(r.stderr).not.toMatch(/198\.51\.100\.1\b/);
    r = cli(['scan', '--no-history', ...NO_IF, '--target', '198.51.100.3'], { XMSCAN_TARGET: '198.51.100.2' });
    expect(r.stderr).toMatch(/198\.51\.100\.3/);
    expect(r.stderr).not.toMatch(/198\.51\.100\.2\b/);
    rmSync(join(xdg, 'xmscan', 'config.yaml'));
  });

  it('an unknown key is an error naming it (exit 2), for every command', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'scan:\n  tokenz: [x]\n');
    // demo only where nothing but lo exists: were the check broken, it would run.
    for (const cmd of ['scan', 'discover', ...(isolated ? ['demo'] : [])]) {
      const r = cli([cmd, '--config', bad, ...(cmd === 'demo' ? [] : NO_IF)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unknown key "scan\.tokenz"/);
      expect(r.stderr).toMatch(/SCAN_ERR_CONFIG/);
      expect(r.stdout).toBe('');
    }
  });

  it('a bad env value is an error naming the variable', () => {
    const r = cli(['discover', ...NO_IF], { XMSCAN_RATE: 'fast' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/XMSCAN_RATE: --rate must be an integer/);
  });

  it('every command offers --config', () => {
    for (const cmd of ['scan', 'discover', 'demo', 'history', 'diff']) {
      expect(cli([cmd, '--help']).stdout).toMatch(/--config <file>/);
    }
  });
});
