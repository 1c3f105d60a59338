import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../adapters/interfaces.js';
import { planDryRun, renderDryRun } from './dry-run.js';
import { planDiscovery } from './plan.js';

const eth0: NetInterface = { name: 'eth0', address: '192.168.1.5', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null };
const lo: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, internal: true, mac: null };

describe('planDryRun (pure)', () => {
  it('default discovery on a /24: mDNS, broadcast, sweep (+ retry bound), Yeelight, Lumi', () => {
    const p = planDryRun(planDiscovery({}, [lo, eth0]), { timeoutMs: 1500, ratePps: 2000 });
    expect(p.command).toBe('discover');
    expect(p.interfaces).toEqual([{ name: 'eth0', address: '192.168.1.5', prefix: 24 }]);
    // 254 hosts minus our own address.
    expect(p.sweepHosts).toEqual({ count: 253, first: '192.168.1.1', last: '192.168.1.254' });
    const by = (s: string) => p.packets.filter((k) => k.source === s);
    expect(by('hello-broadcast').map((k) => [k.to, k.count, k.bytes])).toEqual([
      ['192.168.1.255', 3, 32],
      ['255.255.255.255', 3, 32],
    ]);
    expect(by('hello-sweep')).toMatchObject([{ count: 253, exact: true, port: 54321, rateLimited: true }]);
    expect(by('hello-sweep-retry')).toMatchObject([{ count: 253, exact: false }]);
    expect(by('mdns')).toHaveLength(6);
    expect(by('mdns').every((k) => k.to === '224.0.0.251' && k.count === 2 && !k.rateLimited)).toBe(true);
    expect(by('yeelight')).toMatchObject([{ to: '239.255.255.250', port: 1982, count: 2 }]);
    expect(by('lumi')).toMatchObject([{ to: '224.0.0.50', port: 4321, count: 2, bytes: 15 }]);
    expect(p.totals.datagrams).toBe(6 * 2 + 6 + 253 + 2 + 2);
    expect(p.totals.datagramsMax).toBe(p.totals.datagrams + 253);
    expect(p.totals.bytes).toBeGreaterThan(253 * 32);
    expect(p.perDevice).toEqual([]);
  });

  it('loopback targets: no broadcast from lo; a sweep too long for the window gets no retry pass and a note', () => {
    const plan = planDiscovery({ targets: ['127.0.0.0/24'] }, [lo, eth0]);
    const p = planDryRun(plan, { timeoutMs: 1000, ratePps: 100 });
    expect(p.packets.some((k) => k.source === 'hello-broadcast')).toBe(false);
    expect(p.packets.some((k) => k.source === 'hello-sweep-retry')).toBe(false);
    expect(p.notes.join('\n')).toMatch(/outlasts the window/);
    expect(p.totals.datagrams).toBe(p.totals.datagramsMax);
    expect(p.totals.firstPassMs).toBeGreaterThanOrEqual(2540);
  });

  it('scan adds the per-device probes: default TCP ports, --ports, family ports, miIO, ecosystem reads', () => {
    const p = planDryRun(planDiscovery({ targets: ['192.168.1.0/28'] }, [eth0]), { timeoutMs: 1500, ratePps: 2000, scan: { extraPorts: [9000], tokenFiles: 2 } });
    expect(p.command).toBe('scan');
    const tcp = p.perDevice.filter((c) => c.protocol === 'tcp').map((c) => c.port);
    for (const port of [22, 23, 80, 443, 554, 1883, 8080, 8554, 8883, 55443, 9000, 21, 6665]) expect(tcp).toContain(port);
    expect(p.perDevice.filter((c) => c.protocol === 'udp' && c.port === 54321)).toHaveLength(2);
    expect(p.perDevice.map((c) => c.when).join('\n')).toMatch(/2 token file/);
  });

  it('only the sources asked for', () => {
    const p = planDryRun(planDiscovery({ targets: ['192.168.1.7'] }, [eth0]), { timeoutMs: 1500, ratePps: 2000, sources: ['hello-sweep'] });
    expect(new Set(p.packets.map((k) => k.source))).toEqual(new Set(['hello-sweep', 'hello-sweep-retry']));
    expect(p.totals.datagrams).toBe(1);
  });

  it('renders one line per packet kind, says nothing was sent, marks upper bounds', () => {
    const text = renderDryRun(planDryRun(planDiscovery({}, [eth0]), { timeoutMs: 1500, ratePps: 2000, scan: { extraPorts: [], tokenFiles: 0 } }));
    expect(text).toMatch(/^DRY RUN \(scan\): nothing was sent/);
    expect(text).toContain('eth0 (192.168.1.5) -> 192.168.1.255:54321');
    expect(text).toMatch(/≤253× hello-sweep-retry/);
    expect(text).toMatch(/per discovered device \(scan\):\n {2}tcp\/22 /);
    expect(text.endsWith('\n')).toBe(true);
  });
});
