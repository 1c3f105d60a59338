/**
 * `xmscan demo` end to end (issue 6): a report with findings of several severities within 10 s, no
 * process or socket left behind, and no packet on any interface but lo.
 *
 * Containment proof (root only): the demo runs in a fresh network namespace that also holds a veth pair
 * carrying the default route, so any multicast/broadcast/unicast that is not pinned to lo would leave
 * through vx0. Its transmit counter (/proc/net/dev: per namespace, unlike /sys) must not move during the
 * demo; a control datagram to an address on vx0's subnet (static neighbour entry, so no ARP retries
 * later) proves the counter does count.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanReport } from '@xmscan/report';
import { demoTokens, loopbackInterfaces, manifestNeighbourTable, runDemo } from '../../packages/scanner/src/cli/commands/demo.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const BIN = join(ROOT, 'packages/scanner/bin/xmscan.mjs');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canUnshare = isRoot && spawnSync('unshare', ['-n', 'true']).status === 0;
const built = existsSync(join(ROOT, 'packages/scanner/dist/cli/main.js'));
// Multicast in-process only where nothing but lo exists (pnpm test as root); elsewhere unicast only.
const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);

const tmp = mkdtempSync(join(tmpdir(), 'xmscan-demo-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface NsRun {
  rc: number;
  wallMs: number;
  txBefore: number;
  txControl: number;
  txAfter: number;
  udpSockets: string[];
  tcpNonTimeWait: string[];
  stdout: string;
  stderr: string;
}

/** The demo CLI in a fresh namespace with lo + a veth default route; counters around it. */
function runInNamespace(loMulticast: boolean, args: string[] = ['--json']): NsRun {
  const out = join(tmp, `out-${loMulticast}-${args.join('_').replace(/\W/g, '')}`);
  const script = `
set -e
ip link set lo up
${loMulticast ? 'ip link set lo multicast on; ip route add 224.0.0.0/4 dev lo' : ''}
ip link add vx0 type veth peer name vx1
for i in vx0 vx1; do echo 1 > /proc/sys/net/ipv6/conf/$i/disable_ipv6; done
ip addr add 10.77.0.1/24 dev vx0
ip link set vx0 up; ip link set vx1 up
ip route add default dev vx0
ip neigh add 10.77.0.99 lladdr 02:00:00:00:00:99 dev vx0 nud permanent
sleep 0.3
tx() { awk -v d="$1:" '$1==d {print $11}' /proc/net/dev; }
echo "before $(tx vx0)" > "$OUT.counters"
"$NODE" -e 'const s=require("dgram").createSocket("udp4");s.send(Buffer.from("x"),9,"10.77.0.99",()=>setTimeout(()=>s.close(),100))'
sleep 0.1
echo "control $(tx vx0)" >> "$OUT.counters"
t0=$(date +%s%N)
set +e
"$NODE" "$BIN" demo "$@" > "$OUT.stdout" 2> "$OUT.stderr"
echo "rc $?" >> "$OUT.counters"
t1=$(date +%s%N)
echo "wall $(( (t1 - t0) / 1000000 ))" >> "$OUT.counters"
echo "after $(tx vx0)" >> "$OUT.counters"
tail -n +2 /proc/net/udp > "$OUT.udp"
tail -n +2 /proc/net/tcp > "$OUT.tcp"
`;
  const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', ...args], {
    cwd: ROOT,
    env: { ...process.env, OUT: out, NODE: process.execPath, BIN },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`namespace script failed: ${r.status} ${r.stderr}`);
  const counters = Object.fromEntries(
    readFileSync(`${out}.counters`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
  const lines = (f: string) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '');
  return {
    rc: Number(counters['rc']),
    wallMs: Number(counters['wall']),
    txBefore: Number(counters['before']),
    txControl: Number(counters['control']),
    txAfter: Number(counters['after']),
    udpSockets: lines(`${out}.udp`),
    // st column 4: 06 TIME_WAIT is kernel state after a clean close, not a socket anyone holds.
    tcpNonTimeWait: lines(`${out}.tcp`).filter((l) => l.trim().split(/\s+/)[3] !== '06'),
    stdout: readFileSync(`${out}.stdout`, 'utf8'),
    stderr: readFileSync(`${out}.stderr`, 'utf8'),
  };
}

function severities(report: ScanReport): string[] {
  return Object.entries(report.summary.findingsBySeverity)
    .filter(([, n]) => n > 0)
    .map(([s]) => s);
}

describe.skipIf(!canUnshare || !built)('xmscan demo (CLI, isolated namespace with a veth default route)', () => {
  for (const loMulticast of [false, true]) {
    it(`lo multicast ${loMulticast ? 'on + 224/4 route' : 'as on a normal machine'}: report in < 10 s, nothing on vx0, nothing left`, () => {
      const r = runInNamespace(loMulticast);
      expect(r.rc, r.stderr).toBe(0);
      // The counter counts: the control datagram went out on vx0.
      expect(r.txControl).toBeGreaterThan(r.txBefore);
      // The demo put no packet on vx0.
      expect(r.txAfter).toBe(r.txControl);
      expect(r.wallMs).toBeLessThan(10_000);
      const report = JSON.parse(r.stdout) as ScanReport;
      expect(report.devices.length).toBeGreaterThanOrEqual(10);
      expect(severities(report).length).toBeGreaterThanOrEqual(3);
      expect(report.devices.every((d) => d.ip.startsWith('127.0.0.'))).toBe(true);
      // The router and the TV box have no miIO: found through the injected neighbour table only.
      expect(report.devices.map((d) => d.mac)).toEqual(expect.arrayContaining(['8C:DE:F9:41:7A:22', '64:09:80:11:22:33']));
      // The process exited on its own (no kill) and held nothing: no UDP socket, no listener or connection.
      expect(r.udpSockets).toEqual([]);
      expect(r.tcpNonTimeWait).toEqual([]);
      // With --json the notes go to stderr and say what was simulated / injected.
      expect(r.stderr).toMatch(/simulated home/);
      expect(r.stderr).toMatch(/neighbour table/);
      expect(r.stderr).toMatch(/Tokens for \d+ devices were supplied/);
    });
  }

  it('table output names devices and several severities; --html says clearly whether it could write HTML', () => {
    const html = join(tmp, 'demo.html');
    const r = runInNamespace(false, ['--html', html]);
    expect(r.stdout).toMatch(/CRITICAL|HIGH/);
    expect(r.stdout).toMatch(/MEDIUM|LOW|INFO/);
    expect(r.stdout).toMatch(/About this demo/);
    expect(r.txAfter).toBe(r.txControl);
    if (existsSync(html)) {
      expect(r.rc).toBe(0);
      expect(readFileSync(html, 'utf8')).toMatch(/<html/i);
    } else {
      expect(r.rc).toBe(1);
      expect(r.stderr).toMatch(/HTML writer is not available/);
    }
  });
});

describe('runDemo (in process)', () => {
  it('scans the simulated home and releases every socket', async () => {
    const count = () => process.getActiveResourcesInfo().filter((x) => x === 'UDPWRAP' || x === 'TCPWRAP' || x === 'TCPServerWrap').length;
    const before = count();
    const t0 = Date.now();
    const r = await runDemo({ ...(isolated ? {} : { multicast: false }) });
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(10_000);
    expect(r.interfaces).toEqual([loopbackInterfaces()[0]!.name]);
    expect(r.report.devices.length).toBe(r.manifest.devices.length);
    expect(severities(r.report).length).toBeGreaterThanOrEqual(3);
    if (!r.multicast) {
      expect(r.report.devices.flatMap((d) => d.sources)).not.toContain('mdns');
      expect(r.notes.join(' ')).toMatch(/Multicast does not work/);
    }
    // Sockets close asynchronously; give them a tick.
    await new Promise((res) => setTimeout(res, 50));
    expect(count()).toBeLessThanOrEqual(before);
  });

  it('demo tokens: only non-leaking miIO devices, as Token objects (never hex in JSON)', async () => {
    const { startSimulator } = await import('@xmscan/simulator');
    const sim = await startSimulator({ profiles: 'demo', loopbackMulticast: false });
    try {
      const tokens = demoTokens(sim.manifest);
      const leaking = sim.manifest.devices.filter((d) => d.leaksToken).map((d) => d.address);
      expect(tokens.length).toBeGreaterThan(0);
      expect(tokens.some((t) => leaking.includes(t.ip!))).toBe(false);
      for (const t of tokens) {
        const hex = sim.manifest.devices.find((d) => d.address === t.ip)!.token;
        expect(JSON.stringify(t)).not.toContain(hex);
        expect(t.token.revealHex()).toBe(hex);
      }
      const table = manifestNeighbourTable(sim.manifest, 'lo');
      const n = await table.read(['127.0.0.17', '10.0.0.1'], new AbortController().signal);
      expect(n).toEqual([{ ip: '127.0.0.17', mac: '8C:DE:F9:41:7A:22', interface: 'lo' }]);
    } finally {
      await sim.stop();
    }
  });

  it('loopbackInterfaces keeps only 127.x internal interfaces', () => {
    const list = () => [
      { name: 'eth0', address: '192.168.1.2', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null },
      { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, internal: true, mac: null },
    ];
    expect(loopbackInterfaces(list).map((i) => i.name)).toEqual(['lo']);
    expect(loopbackInterfaces(() => [list()[0]!])).toEqual([]);
  });
});
