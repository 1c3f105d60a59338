/**
 * scan() orchestration with injected discovery sources and fake probes (no sockets): a hostile probe
 * costs one device, a hanging probe is cut at the probe deadline, and the stage timings are logged.
 */
import { describe, expect, it } from 'vitest';
import { ProbeError, loadAdvisoryDatabaseSync } from '@xmscan/miio-probe';
import type { NetInterface } from '../adapters/interfaces.js';
import { emptySighting } from '../discovery/sighting.js';
import type { DiscoverySource, Logger } from '../discovery/source.js';
import type { ScanProbes } from './probes.js';
import { scan } from './scan.js';

const eth0: NetInterface = { name: 'eth0', address: '10.9.0.1', netmask: '255.255.255.0', prefix: 24, internal: false, mac: null };
const advisories = loadAdvisoryDatabaseSync();

function sweep(dids: Record<string, string>): DiscoverySource {
  return {
    name: 'hello-sweep',
    async run(ctx) {
      for (const [ip, did] of Object.entries(dids)) ctx.emit({ ...emptySighting('hello-sweep', Date.now()), ip, deviceId: did });
    },
  };
}

const notProbed = async () => ({ ok: false as const, error: new ProbeError('MIIO_ERR_PROBE_NOT_FOUND', 'fake: not probed') });

function probes(miio: ScanProbes['miio']): ScanProbes {
  return { miio, ports: async () => [], yeelight: notProbed, lumi: notProbed, router: notProbed, valetudo: notProbed };
}

const common = {
  timeoutMs: 60,
  listInterfaces: () => [eth0],
  neighbourTable: { read: async () => [] },
  advisories,
  tokens: [],
};

describe('scan() with fake probes', () => {
  it('a probe that returns garbage costs its device (warning, incomplete), not the scan', async () => {
    const r = await scan({
      ...common,
      sources: [sweep({ '10.9.0.21': '1001', '10.9.0.22': '1002' })],
      probes: probes(async (o) => {
        if (o.address === '10.9.0.21') return null as never; // hostile: breaks the audit itself
        return { handshake: { ok: false, error: { code: 'MIIO_ERR_TIMEOUT', message: 'silent' } } };
      }),
    });
    expect(r.report.devices.map((d) => d.ip)).toEqual(['10.9.0.22']);
    expect(r.report.incomplete).toBe(true);
    expect(r.report.warnings?.some((w) => w.code === 'SCAN_ERR_AUDIT' && w.ip === '10.9.0.21')).toBe(true);
    expect(r.report.checks.some((c) => c.ip === '10.9.0.22')).toBe(true);
  });

  it('a probe that throws is reported as that device’s check error', async () => {
    const r = await scan({
      ...common,
      sources: [sweep({ '10.9.0.21': '1001' })],
      probes: probes(() => Promise.reject(Object.assign(new Error('boom'), { code: 'EBOOM' }))),
    });
    expect(r.report.devices).toHaveLength(1);
    expect(r.report.checks.find((c) => c.checkId === 'miio-token-exposed')?.status).toBe('error');
    expect(r.report.incomplete ?? false).toBe(false);
  });

  it('a probe that hangs is cut at the probe deadline; the scan returns on time with a warning', async () => {
    const t0 = Date.now();
    const r = await scan({
      ...common,
      probeDeadlineMs: 300,
      sources: [sweep({ '10.9.0.21': '1001' })],
      // Honours the signal, as the real probes do; never answers otherwise.
      probes: probes(
        (o) =>
          new Promise((resolve) =>
            o.signal.addEventListener('abort', () => resolve({ handshake: { ok: false, error: { code: 'MIIO_ERR_ABORTED', message: 'aborted' } } }), { once: true }),
          ),
      ),
    });
    const took = Date.now() - t0;
    expect(took).toBeLessThan(1500);
    expect(r.report.warnings?.some((w) => w.code === 'SCAN_WARN_DEADLINE')).toBe(true);
    expect(r.report.incomplete).toBe(true);
  });

  it('logs one debug line with the stage timings', async () => {
    const lines: { o: Record<string, unknown>; m: string | undefined }[] = [];
    const logger: Logger = {
      debug: (o: object, m?: string) => lines.push({ o: o as Record<string, unknown>, m }),
      info() {},
      warn() {},
      error() {},
    };
    await scan({ ...common, logger, sources: [sweep({ '10.9.0.21': '1001' })], probes: probes(async () => ({ handshake: { ok: false, error: { code: 'MIIO_ERR_TIMEOUT', message: 'x' } } })) });
    const stages = lines.filter((l) => l.m === 'scan stages');
    expect(stages).toHaveLength(1);
    expect(stages[0]!.o).toMatchObject({ devices: 1, audited: 1 });
    for (const k of ['discoveryMs', 'probeMs', 'totalMs']) expect(typeof stages[0]!.o[k]).toBe('number');
  });
});
