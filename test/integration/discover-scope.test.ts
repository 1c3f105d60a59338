/**
 * Scope guard (issue 3): a public target or a target larger than /16 is refused with exit 2 and
 * NOTHING is sent. Proof: the namespace's UDP OutDatagrams counter (/proc/net/snmp) does not move
 * while the CLI runs; a control run with a loopback target shows the counter does move.
 * Runs only inside an isolated network namespace (`pnpm test` as root provides one).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../packages/scanner/bin/xmscan.mjs', import.meta.url));
const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);

/** Udp OutDatagrams + UdpLite OutDatagrams + Ip OutRequests of this network namespace. */
function counters(): { udpOut: number; ipOut: number } {
  const lines = readFileSync('/proc/net/snmp', 'utf8').trim().split('\n');
  const field = (proto: string, name: string): number => {
    const rows = lines.filter((l) => l.startsWith(`${proto}:`));
    const head = rows[0]!.split(/\s+/);
    const vals = rows[1]!.split(/\s+/);
    return Number(vals[head.indexOf(name)]);
  };
  return { udpOut: field('Udp', 'OutDatagrams') + field('UdpLite', 'OutDatagrams'), ipOut: field('Ip', 'OutRequests') };
}

function xmscan(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe.runIf(isolated)('scope guard: refused targets send nothing', () => {
  it.each([
    [['--target', '8.8.8.8'], /SCAN_ERR_SCOPE/],
    [['--target', '192.0.2.0/24', '--json'], /SCAN_ERR_SCOPE/],
    [['--target', '127.0.0.1', '--target', '1.1.1.1'], /SCAN_ERR_SCOPE/],
    [['--target', '10.0.0.0/15'], /SCAN_ERR_TOO_LARGE/],
  ])('xmscan discover %j → exit 2, no datagram', (args, message) => {
    const before = counters();
    const r = xmscan(['discover', ...args]);
    const after = counters();
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(after.udpOut - before.udpOut).toBe(0);
    expect(after.ipOut - before.ipOut).toBe(0);
  });

  it('control: an allowed loopback target does send (so the counter would have seen it)', () => {
    const before = counters();
    const r = xmscan(['discover', '--target', '127.0.0.1', '--timeout', '150', '--json']);
    const after = counters();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schemaVersion: 1, devices: [] });
    expect(after.udpOut - before.udpOut).toBeGreaterThan(0);
  });
});

describe('CLI basics', () => {
  it('--version and --help exit 0', () => {
    const v = xmscan(['--version']);
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = xmscan(['discover', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--target <spec>/);
  });
  it('bad option values are usage errors (exit 2)', () => {
    expect(xmscan(['discover', '--timeout', 'soon']).status).toBe(2);
    expect(xmscan(['discover', '--target', 'not-an-ip']).status).toBe(2);
  });
});
