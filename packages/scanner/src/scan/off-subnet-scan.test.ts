import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../adapters/interfaces.js';
import { emptySighting } from '../discovery/sighting.js';
import type { DiscoverySource } from '../discovery/source.js';
import type { ScanProbes } from './probes.js';
import { scan } from './scan.js';

const ifaces: NetInterface[] = [{ name: 'eth0', address: '192.168.1.10', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null }];
const fail = { ok: false as const, error: { code: 'MIIO_ERR_TIMEOUT', message: 'no answer' } } as never;
const silentProbes: ScanProbes = {
  miio: async () => ({ handshake: { ok: false, error: { code: 'MIIO_ERR_TIMEOUT', message: 'no answer' } } }),
  ports: async () => [],
  yeelight: async () => fail,
  lumi: async () => fail,
  router: async () => fail,
  valetudo: async () => fail,
};

describe('scan: devices on a subnet this machine has no address on', () => {
  it('are flagged (extras.offSubnet + a warning saying why silence is not "not found"); local ones are not', async () => {
    const fake: DiscoverySource = {
      name: 'hello-sweep',
      async run(ctx) {
        ctx.emit({ ...emptySighting('mdns', ctx.clock.now()), ip: '192.168.1.20', mac: '28:6C:07:00:00:01' });
        ctx.emit({ ...emptySighting('mdns', ctx.clock.now()), ip: '192.168.7.20', mac: '28:6C:07:00:00:02' });
      },
    };
    const { report } = await scan({
      targets: ['192.168.1.0/24', '192.168.7.0/24'],
      timeoutMs: 50,
      sources: [fake],
      listInterfaces: () => ifaces,
      neighbourTable: { read: () => Promise.resolve([]) },
      probes: silentProbes,
    });
    const far = report.devices.find((d) => d.ip === '192.168.7.20')!;
    const near = report.devices.find((d) => d.ip === '192.168.1.20')!;
    expect(far.extras?.['offSubnet']).toBe(true);
    expect(near.extras?.['offSubnet']).toBeUndefined();
    const w = (report.warnings ?? []).filter((x) => x.code === 'SCAN_WARN_OFF_SUBNET');
    expect(w).toHaveLength(1);
    expect(w[0]!.ip).toBe('192.168.7.20');
    expect(w[0]!.message).toMatch(/ignore packets from other subnets/);
  });
});
