import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../adapters/interfaces.js';
import { isOffSubnet, offSubnetAddresses } from './off-subnet.js';
import { discover } from './discover.js';
import { emptySighting } from './sighting.js';
import type { DiscoverySource } from './source.js';

const ifaces: NetInterface[] = [
  { name: 'lo', address: '127.0.0.1', netmask: '255.0.0.0', prefix: 8, internal: true, mac: null },
  { name: 'eth0', address: '192.168.1.10', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null },
];

describe('off-subnet', () => {
  it('classifies by every local interface subnet', () => {
    expect(isOffSubnet('192.168.1.77', ifaces)).toBe(false);
    expect(isOffSubnet('127.0.0.15', ifaces)).toBe(false);
    expect(isOffSubnet('192.168.2.5', ifaces)).toBe(true);
    expect(isOffSubnet('10.0.0.1', [])).toBe(true);
    expect(isOffSubnet('not an ip', ifaces)).toBe(false);
    expect(offSubnetAddresses(['192.168.2.5', null, '192.168.1.2', '192.168.2.5'], ifaces)).toEqual(['192.168.2.5']);
  });

  it('discover() lists devices found on a subnet no interface is on', async () => {
    const fake: DiscoverySource = {
      name: 'hello-sweep',
      async run(ctx) {
        ctx.emit({ ...emptySighting('hello-sweep', ctx.clock.now()), ip: '192.168.1.20', deviceId: '1' });
        ctx.emit({ ...emptySighting('hello-sweep', ctx.clock.now()), ip: '192.168.7.20', deviceId: '2' });
      },
    };
    const r = await discover({
      targets: ['192.168.1.0/24', '192.168.7.0/24'],
      timeoutMs: 50,
      sources: [fake],
      listInterfaces: () => ifaces,
      neighbourTable: { read: () => Promise.resolve([]) },
    });
    expect(r.devices.map((d) => d.ip).sort()).toEqual(['192.168.1.20', '192.168.7.20']);
    expect(r.offSubnet).toEqual(['192.168.7.20']);
  });
});
