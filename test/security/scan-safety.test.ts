/**
 * Issue 8, scan safety:
 * - the scope guard covers `scan` as well as `discover`, targets given as arguments, flags, the config
 *   file and XMSCAN_* environment, and `--dry-run`: refused → exit 2 and NOTHING sent (UDP datagrams,
 *   IP packets and TCP connects of this namespace counted from /proc/net/snmp);
 * - `--dry-run` (scan and discover) lists every packet the run would send and sends none; a control
 *   run shows the plan's datagram count is what a real run sends (the counters can see it);
 * - the suite-wide read-only check (sim-log-global.ts) catches a write request.
 * Runs only in an isolated network namespace (`pnpm test` as root).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeSuiteLogs } from './sim-log-global.js';
import { BUILT, isolated, netCounters, settleCounters, xmscan, type CliRun } from './support.js';

const why = !isolated ? 'needs an isolated network namespace (pnpm test as root)' : !BUILT ? 'scanner not built' : null;

interface PlanJson {
  dryRun: true;
  command: string;
  sweepHosts: { count: number };
  packets: { source: string; kind: string; to: string; port: number; count: number; exact: boolean }[];
  totals: { datagrams: number; datagramsMax: number };
  perDevice: { protocol: string; port: number | string }[];
}

describe.skipIf(why !== null)(`scan safety${why ? ` (skipped: ${why})` : ''}`, () => {
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const f = (p: string) => join(dir, p);

  beforeAll(async () => {
    // An earlier test file's multicast sockets leave their groups with IGMP reports the kernel repeats
    // up to ~1 s later: let the namespace go quiet before the first count.
    await settleCounters(2500, 10_000);
    dir = mkdtempSync(join(tmpdir(), 'xmscan-safety-'));
    env = { ...process.env, HOME: f('home'), XDG_DATA_HOME: f('data'), XDG_CONFIG_HOME: f('config'), XDG_RUNTIME_DIR: f('run') };
    for (const k of Object.keys(env)) if (k.startsWith('XMSCAN_') && !['XMSCAN_ISOLATED', 'XMSCAN_TESTS_BUILT', 'XMSCAN_SIM_LOG_DIR', 'XMSCAN_SIM_LOG_TAG'].includes(k)) delete env[k];
    writeFileSync(f('public.json'), JSON.stringify({ scan: { target: ['8.8.8.8'] } }));
    writeFileSync(f('large.yaml'), 'target:\n  - 10.0.0.0/8\n');
    writeFileSync(f('tokens.json'), JSON.stringify([{ did: '1', token: '00112233445566778899aabbccddeeff', ip: '127.0.0.5' }]));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Run the CLI and return the counter deltas it caused. */
  async function measured(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliRun & { udp: number; ip: number; tcp: number }> {
    await settleCounters();
    const before = netCounters();
    const r = await xmscan(args, { env: { ...env, ...extraEnv } });
    const after = netCounters();
    return { ...r, udp: after.udpOut - before.udpOut, ip: after.ipOut - before.ipOut, tcp: after.tcpOpens - before.tcpOpens };
  }

  const lock = () => ['--lock-file', f('scan.lock'), '--no-history'];

  it.each([
    ['scan --target 8.8.8.8', ['scan', '--target', '8.8.8.8'], {}, /SCAN_ERR_SCOPE/],
    ['scan 1.1.1.1 (positional)', ['scan', '1.1.1.1'], {}, /SCAN_ERR_SCOPE/],
    ['scan 127.0.0.1 + 192.0.2.0/24', ['scan', '127.0.0.1', '--target', '192.0.2.0/24'], {}, /SCAN_ERR_SCOPE/],
    ['scan --target 10.0.0.0/15', ['scan', '--target', '10.0.0.0/15'], {}, /SCAN_ERR_TOO_LARGE/],
    ['scan --dry-run --target 8.8.8.8', ['scan', '--dry-run', '--target', '8.8.8.8'], {}, /SCAN_ERR_SCOPE/],
    ['discover --dry-run --target 172.16.0.0/12', ['discover', '--dry-run', '--target', '172.16.0.0/12'], {}, /SCAN_ERR_TOO_LARGE/],
    ['scan with config file target 8.8.8.8', ['scan', '--config', 'CONFIG:public.json'], {}, /SCAN_ERR_SCOPE/],
    ['scan with config file target 10.0.0.0/8', ['scan', '--config', 'CONFIG:large.yaml'], {}, /SCAN_ERR_TOO_LARGE/],
    ['scan with XMSCAN_TARGET=9.9.9.9', ['scan'], { XMSCAN_TARGET: '9.9.9.9' }, /SCAN_ERR_SCOPE/],
    ['discover with XMSCAN_TARGET=127.0.0.1,203.0.113.7', ['discover'], { XMSCAN_TARGET: '127.0.0.1,203.0.113.7' }, /SCAN_ERR_SCOPE/],
    ['scan with XMSCAN_CONFIG pointing at a public target', ['scan'], { XMSCAN_CONFIG: 'CONFIG:public.json' }, /SCAN_ERR_SCOPE/],
  ] as const)('%s → exit 2, nothing sent', async (_label, args, extraEnv, message) => {
    const fix = (s: string) => (s.startsWith('CONFIG:') ? f(s.slice(7)) : s);
    const argv = [...args.map(fix), ...(args[0] === 'scan' ? lock() : [])];
    const envFixed = Object.fromEntries(Object.entries(extraEnv).map(([k, v]) => [k, fix(String(v))]));
    const r = await measured(argv, envFixed);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect([r.udp, r.ip, r.tcp]).toEqual([0, 0, 0]);
  });

  it('--dry-run scan lists discovery packets and per-device connections, sends nothing, takes no lock and stores nothing', async () => {
    const r = await measured(['scan', '--dry-run', '--json', '--target', '127.0.0.0/24', '--tokens', f('tokens.json'), '--ports', '9000', '--lock-file', f('scan.lock'), '--history', f('h.sqlite')]);
    expect(r.code, r.stderr).toBe(0);
    expect([r.udp, r.ip, r.tcp]).toEqual([0, 0, 0]);
    const plan = JSON.parse(r.stdout) as PlanJson;
    expect(plan).toMatchObject({ dryRun: true, command: 'scan', sweepHosts: { count: 254 } });
    const sources = new Set(plan.packets.map((p) => p.source));
    for (const s of ['mdns', 'hello-sweep', 'hello-sweep-retry', 'yeelight', 'lumi']) expect(sources, s).toContain(s);
    expect(plan.packets.find((p) => p.source === 'hello-sweep')).toMatchObject({ port: 54321, count: 254, exact: true });
    const tcp = plan.perDevice.filter((c) => c.protocol === 'tcp').map((c) => c.port);
    for (const p of [22, 23, 80, 9000, 55443]) expect(tcp).toContain(p);
    expect(plan.perDevice.some((c) => c.protocol === 'udp' && c.port === 54321)).toBe(true);
    // Nothing written: no history file, no lock left behind.
    const { existsSync } = await import('node:fs');
    expect(existsSync(f('h.sqlite'))).toBe(false);
    expect(existsSync(f('scan.lock'))).toBe(false);
  });

  it('--dry-run text output says nothing was sent and names every destination', async () => {
    const r = await measured(['discover', '--dry-run', '--target', '127.0.0.0/28']);
    expect(r.code, r.stderr).toBe(0);
    expect([r.udp, r.ip, r.tcp]).toEqual([0, 0, 0]);
    expect(r.stdout).toMatch(/^DRY RUN \(discover\): nothing was sent/);
    for (const dest of ['224.0.0.251:5353', '239.255.255.250:1982', '224.0.0.50:4321', '127.0.0.1-127.0.0.14 (14 hosts):54321']) expect(r.stdout).toContain(dest);
  });

  it.each([
    ['127.0.0.0/28', '600'],
    ['127.0.0.0/24', '800'],
  ])('control: a real discover of %s sends what its dry-run plan says (datagrams .. datagramsMax)', async (target, timeout) => {
    const dry = await measured(['discover', '--dry-run', '--json', '--target', target, '--timeout', timeout]);
    expect(dry.udp).toBe(0);
    const plan = JSON.parse(dry.stdout) as PlanJson;
    const real = await measured(['discover', '--json', '--target', target, '--timeout', timeout]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.udp).toBeGreaterThanOrEqual(plan.totals.datagrams);
    expect(real.udp).toBeLessThanOrEqual(plan.totals.datagramsMax);
    // Nobody answers on these addresses, so the retry pass goes to every host: the upper bound is exact.
    expect(real.udp).toBe(plan.totals.datagramsMax);
  });

  it('the suite-wide read-only check flags a write request (and exempts only the simulator unit tests)', () => {
    const logDir = mkdtempSync(join(tmpdir(), 'xmscan-simlog-check-'));
    try {
      const rec = (readOnly: boolean, kind: string) => JSON.stringify({ ts: '2026-01-01T00:00:00Z', device: 'plug', proto: 'miio', from: '127.0.0.1:5', kind, readOnly, detail: {} });
      writeFileSync(join(logDir, 'test_lab_scan.test.ts~1-a.jsonl'), [rec(true, 'hello'), rec(true, 'miIO.info')].join('\n') + '\n');
      writeFileSync(join(logDir, 'packages_simulator_src_ecosystem.test.ts~2-b.jsonl'), rec(false, 'set_power') + '\n');
      expect(summarizeSuiteLogs(logDir)).toMatchObject({ files: 2, records: 3, readOnly: 2, exempt: 1, writes: [] });
      writeFileSync(join(logDir, 'test_integration_x.test.ts~3-c.jsonl'), rec(false, 'set_power') + '\n{"partial');
      expect(summarizeSuiteLogs(logDir).writes).toEqual([{ file: 'test_integration_x.test.ts', device: 'plug', proto: 'miio', kind: 'set_power' }]);
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
    // And the suite so far: every request any simulator received up to now was read-only.
    const suiteDir = process.env['XMSCAN_SIM_LOG_DIR'];
    if (suiteDir) expect(summarizeSuiteLogs(suiteDir).writes).toEqual([]);
  });
});
