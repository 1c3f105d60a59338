import { describe, expect, it } from 'vitest';
import type { NetInterface } from '../adapters/interfaces.js';
import type { NeighbourTable } from '../adapters/neighbours.js';
import { ScanError } from '../errors.js';
import { discover, discoverEvents, MAX_IDENTITIES_PER_IP } from './discover.js';
import { emptySighting } from './sighting.js';
import type { DiscoverySource } from './source.js';

const eth0: NetInterface = { name: 'eth0', address: '10.9.0.1', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null };

/** A sweep stand-in: emits a hello sighting, then takes `ms` to "finish sending". */
function fakeSweep(ms: number, order: string[]): DiscoverySource {
  return {
    name: 'hello-sweep',
    async run(ctx) {
      expect(ctx.sweepHosts).toHaveLength(253);
      ctx.emit({ ...emptySighting('hello-sweep', Date.now()), ip: '10.9.0.21', deviceId: '277962183' });
      await new Promise((r) => setTimeout(r, ms));
      order.push('sweep-done');
    },
  };
}

function fakeArp(order: string[]): NeighbourTable {
  return {
    async read(ips) {
      order.push('arp');
      expect(ips).toContain('10.9.0.21');
      return [
        { ip: '10.9.0.21', mac: '24:9E:7D:21:43:65', interface: 'eth0' },
        { ip: '10.9.0.33', mac: '44:23:7C:0A:0B:0C', interface: 'eth0' }, // alive, no miIO
      ];
    },
  };
}

describe('discover (injected sources, no sockets)', () => {
  it('keeps at most MAX_IDENTITIES_PER_IP device ids per address and counts the flood', async () => {
    const flood: DiscoverySource = {
      name: 'mdns',
      async run(ctx) {
        for (let i = 0; i < 40; i++) ctx.emit({ ...emptySighting('mdns', Date.now()), ip: '10.9.0.66', deviceId: String(1000 + i), model: 'fake.flood.v1' });
        // An honest neighbour is unaffected, and an already-kept id is still accepted.
        ctx.emit({ ...emptySighting('mdns', Date.now()), ip: '10.9.0.21', deviceId: '277962183' });
        ctx.emit({ ...emptySighting('hello-sweep', Date.now()), ip: '10.9.0.66', deviceId: '1000' });
      },
    };
    const r = await discover({ timeoutMs: 50, listInterfaces: () => [eth0], sources: [flood], neighbourTable: { read: async () => [] } });
    const fromFlood = r.devices.filter((d) => d.ip === '10.9.0.66');
    expect(fromFlood).toHaveLength(MAX_IDENTITIES_PER_IP);
    expect(fromFlood.find((d) => d.deviceId === '1000')?.sources).toEqual(['mdns', 'hello-sweep']);
    expect(r.identityOverflow).toEqual([{ ip: '10.9.0.66', dropped: 40 - MAX_IDENTITIES_PER_IP }]);
    expect(r.devices.some((d) => d.deviceId === '277962183')).toBe(true);
  });

  it('reads ARP after the sweep, merges, and returns after window and sweep', async () => {
    const order: string[] = [];
    const t0 = Date.now();
    const r = await discover({
      timeoutMs: 100,
      listInterfaces: () => [eth0],
      sources: [fakeSweep(200, order)],
      neighbourTable: fakeArp(order),
    });
    const took = Date.now() - t0;
    expect(order).toEqual(['sweep-done', 'arp']);
    expect(took).toBeGreaterThanOrEqual(195); // the sweep outlived the 100 ms window
    expect(took).toBeLessThan(1000);
    expect(r.devices.map((d) => [d.key, d.ip, d.mac, d.xiaomiFamily])).toEqual([
      ['did:277962183', '10.9.0.21', '24:9E:7D:21:43:65', 'strong'],
      ['mac:44:23:7C:0A:0B:0C', '10.9.0.33', '44:23:7C:0A:0B:0C', 'strong'],
    ]);
    expect(r.devices[0]!.sources).toEqual(['hello-sweep', 'arp']);
  });

  it('a failing source and an unreadable ARP table are logged, not thrown', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_o: object, m?: string) => warnings.push(m ?? ''), error: (_o: object, m?: string) => warnings.push(m ?? '') };
    const r = await discover({
      timeoutMs: 60,
      listInterfaces: () => [eth0],
      logger,
      sources: [{ name: 'hello-sweep', run: () => Promise.reject(new Error('boom')) }],
      neighbourTable: { read: () => Promise.reject(new ScanError('SCAN_ERR_ARP', 'no arp')) },
    });
    expect(r.devices).toEqual([]);
    expect(warnings).toEqual(['discovery source failed', 'ARP table unavailable']);
  });

  it('the scope guard throws before any source runs', async () => {
    let ran = false;
    const src: DiscoverySource = { name: 'x', run: async () => void (ran = true) };
    await expect(discover({ targets: ['8.8.8.8'], sources: [src], listInterfaces: () => [eth0] })).rejects.toMatchObject({ code: 'SCAN_ERR_SCOPE' });
    expect(ran).toBe(false);
  });

  it('discoverEvents streams devices, then the result', async () => {
    const order: string[] = [];
    const types: string[] = [];
    for await (const e of discoverEvents({ timeoutMs: 50, listInterfaces: () => [eth0], sources: [fakeSweep(10, order)], neighbourTable: fakeArp(order) })) {
      types.push(e.type);
    }
    expect(types[0]).toBe('sighting');
    expect(types).toContain('device');
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'device')).toHaveLength(2);
  });
});
