/**
 * Discovery against the simulator on 127.0.0.x with real sockets (issue 3, loopback integration).
 * Multicast sources (mDNS, Yeelight, Lumi) run only inside an isolated namespace (only `lo`, as
 * `pnpm test` provides as root); elsewhere only the unicast sweep runs, which never leaves lo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover, type DiscoveryResult } from '@xmscan/scanner';
import { startSimulator, type RunningSimulator } from '@xmscan/simulator';
import { networkInterfaces } from 'node:os';
import { helloSweepSource } from '../../packages/scanner/src/sources/hello-sweep.js';

const isolated = Object.values(networkInterfaces())
  .flat()
  .every((a) => a === undefined || a.internal);

let sim: RunningSimulator;
let result: DiscoveryResult;
let wallMs = 0;
const early: string[] = [];

beforeAll(async () => {
  sim = await startSimulator({ profiles: 'demo', loopbackMulticast: isolated });
  const addrs = sim.manifest.devices.map((d) => Number(d.address.split('.')[3]));
  const range = `127.0.0.${Math.min(...addrs)}-${Math.max(...addrs) + 2}`;
  const t0 = Date.now();
  result = await discover({
    targets: [range],
    timeoutMs: 1200,
    onDevice: (d) => early.push(d.key),
    ...(isolated ? {} : { sources: [helloSweepSource()] }),
  });
  wallMs = Date.now() - t0;
});

afterAll(async () => {
  await sim?.stop();
});

describe('discover on loopback against the simulator', () => {
  it('finds every miIO device by unicast sweep with the right did and ip', () => {
    const miio = sim.manifest.devices.filter((d) => d.port !== null);
    expect(miio.length).toBeGreaterThanOrEqual(5);
    for (const d of miio) {
      const rec = result.devices.find((r) => r.deviceId === String(d.did));
      expect(rec, d.name).toBeDefined();
      expect(rec!.ip, d.name).toBe(d.address);
      expect(rec!.sources, d.name).toContain('hello-sweep');
      expect(rec!.hello?.tokenField, d.name).toBe(d.leaksToken ? 'exposed' : 'hidden');
    }
    // One record per device: no did appears twice.
    const dids = result.devices.map((r) => r.deviceId).filter((x) => x !== null);
    expect(new Set(dids).size).toBe(dids.length);
  });

  it('never puts a token in the JSON form', () => {
    const leaky = sim.manifest.devices.filter((d) => d.leaksToken);
    expect(leaky.length).toBeGreaterThan(0);
    const json = JSON.stringify(result.devices);
    for (const d of leaky) expect(json).not.toContain(d.token);
  });

  it('streams devices before the run ends and finishes within window + slack', () => {
    expect(early.length).toBeGreaterThan(0);
    expect(wallMs).toBeLessThan(1200 + 800);
    expect(wallMs).toBeGreaterThanOrEqual(1150);
  });

  it.runIf(isolated)('mDNS gives model and MAC; the broken-TXT purifier comes through the lenient decoder', () => {
    for (const d of sim.manifest.devices.filter((x) => x.mdnsName !== null && x.port !== null)) {
      const rec = result.devices.find((r) => r.deviceId === String(d.did));
      expect(rec?.model, d.name).toBe(d.model);
    }
    const purifier = sim.manifest.devices.find((d) => d.name === 'purifier')!;
    const rec = result.devices.find((r) => r.deviceId === String(purifier.did))!;
    expect(rec.sources).toContain('mdns-lenient');
    expect(rec.mac).toBe(purifier.mac.toUpperCase());
    expect(rec.xiaomiFamily).toBe('strong');
  });

  it.runIf(isolated)('Yeelight and the Lumi gateway answer their multicast queries', () => {
    const bulb = sim.manifest.devices.find((d) => d.yeelight)!;
    const b = result.devices.find((r) => r.deviceId === String(bulb.did))!;
    expect(b.sources).toContain('yeelight');
    expect(b.yeelight?.id).toMatch(/^0x[0-9a-f]{16}$/);
    const gw = sim.manifest.devices.find((d) => d.lumiGateway)!;
    const g = result.devices.find((r) => r.sources.includes('lumi'));
    expect(g, 'lumi record').toBeDefined();
    expect(g!.lumi?.sid).toBe(gw.mac.replace(/:/g, '').toLowerCase());
  });
});
