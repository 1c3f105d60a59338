import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../adapters/interfaces.js';
import { ScanError } from '../errors.js';
import { planDiscovery } from './plan.js';

const lo: NetInterface = { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, internal: true, mac: null };
const eth0: NetInterface = { name: 'eth0', address: '10.77.0.1', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null };
const wlan: NetInterface = { name: 'wlan0', address: '172.20.5.9', netmask: '255.255.0.0', prefix: 16, internal: false, mac: null };
const pub: NetInterface = { name: 'eth9', address: '192.0.2.2', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null };

describe('planDiscovery', () => {
  it('default: every up non-loopback subnet, capped to /22, public ones skipped, own address excluded', () => {
    const p = planDiscovery({}, [lo, eth0, wlan, pub]);
    expect(p.interfaces.map((i) => i.name)).toEqual(['eth0', 'wlan0', 'eth9']);
    expect(p.sweepHosts).toHaveLength(253 + 1021);
    expect(p.sweepHosts).not.toContain('10.77.0.1');
    expect(p.sweepHosts[253]).toBe('172.20.4.1');
    expect(p.notes.join('\n')).toMatch(/eth9 .*not swept/);
    expect(p.notes.join('\n')).toMatch(/wlan0 subnet \/16 capped to 172.20.4.0\/22/);
  });
  it('loopback targets choose lo only (broadcast/multicast stay on lo)', () => {
    const p = planDiscovery({ targets: ['127.0.0.10-12'] }, [lo, eth0]);
    expect(p.interfaces.map((i) => i.name)).toEqual(['lo']);
    expect(p.sweepHosts).toEqual(['127.0.0.10', '127.0.0.11', '127.0.0.12']);
  });
  it('--interface wins; an unknown name is an error', () => {
    expect(planDiscovery({ interfaces: ['eth0'] }, [lo, eth0, wlan]).sweepHosts).toHaveLength(253);
    expect(() => planDiscovery({ interfaces: ['nope'] }, [lo])).toThrow(ScanError);
  });
  it('the scope guard runs on explicit targets', () => {
    expect(() => planDiscovery({ targets: ['8.8.8.8'] }, [eth0])).toThrow(/outside private/);
    expect(() => planDiscovery({ targets: ['10.0.0.0/15'] }, [eth0])).toThrow(/more than a \/16/);
  });
});
