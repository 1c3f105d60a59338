// Hostile LAN (issue 8): the `hostile` profile set's attackers next to honest devices, in the lab (root only;
// every packet stays inside the lab namespaces: the floods answer the scanner at 10.213.0.1 on the lab bridge).
//   - the scan finishes within its deadline + 20 %, peak RSS of the scanner process < 250 MB;
//   - every honest device is reported exactly as in a clean lab of the same honest devices;
//   - each hostile behaviour is visible in the report as a warning;
//   - the simulators really did it (request logs: flood rate, 64 KiB datagram, nesting depth, records).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS } from '@xmscan/scanner';
import { SCAN_DEFAULTS } from '../../packages/scanner/src/scan/scan.js';
import { labUnavailableReason, resolveProfilesPath, simulatorEntry, startLab, type Lab, type LabManifest } from './lab.mjs';
import { HONEST, HOSTILE, SPOOF_ADDRESS, XMSCAN, addSpoofAddress, honestDevices, scanLab, writeTokens } from '../hostile/lab-scan.mjs';

function skipReason(): string | null {
  const why = labUnavailableReason();
  if (why) return why;
  if (!existsSync(simulatorEntry()) || !existsSync(XMSCAN)) return 'not built: run pnpm build';
  if (!existsSync(resolveProfilesPath('hostile'))) return 'hostile profile set missing';
  if (!existsSync('/usr/bin/time')) return '/usr/bin/time missing (GNU time measures the peak RSS)';
  return null;
}
const why = skipReason();

/** The scan's own deadline: discovery window + probe-stage budget (both defaults of `xmscan scan`). */
const SCAN_DEADLINE_MS = DEFAULT_TIMEOUT_MS + SCAN_DEFAULTS.probeDeadlineMs;
const RSS_LIMIT_MB = 250;

interface Run {
  report: { devices: { ip: string }[]; warnings?: { code: string; message: string; ip?: string }[]; findings: { ip: string; checkId: string; severity: string }[]; checks: { ip: string; checkId: string; status: string }[] };
  wallMs: number;
  peakRssMb: number | null;
  code: number | null;
  stderr: string;
  manifest: LabManifest;
  requests: { device: string; kind: string; detail: Record<string, unknown> }[];
}

async function runLab(devices: string[] | undefined, dir: string): Promise<Run> {
  const lab: Lab = await startLab({ profiles: 'hostile', ...(devices ? { devices } : {}) });
  try {
    await addSpoofAddress(lab);
    const tokensFile = writeTokens(lab.manifest, dir);
    const r = await scanLab(lab, { dir, tokensFile });
    // Let the floods finish their burst so the request logs hold the totals.
    await new Promise((res) => setTimeout(res, 3500));
    return { ...r, manifest: lab.manifest, requests: lab.requests() as Run['requests'] };
  } finally {
    await lab.stop();
  }
}

describe.skipIf(why !== null)(`hostile LAN${why ? ` (skipped: ${why})` : ''}`, () => {
  let clean: Run;
  let hostile: Run;
  const ipOf = (name: string) => hostile.manifest.devices.find((d) => d.name === name)?.address ?? `?${name}`;
  const warningsAt = (code: string, ip: string) => (hostile.report.warnings ?? []).filter((w) => w.code === code && (w.ip === ip || w.message.includes(ip)));

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xm-hostile-'));
    clean = await runLab(HONEST, dir);
    hostile = await runLab(undefined, dir);
    if (process.env['XMSCAN_HOSTILE_DUMP']) writeFileSync(process.env['XMSCAN_HOSTILE_DUMP'], JSON.stringify({ clean, hostile }));
    const line = (name: string, r: Run) => `[hostile-lab] ${name.padEnd(7)} wall ${r.wallMs} ms  peak RSS ${r.peakRssMb} MB  devices ${r.report?.devices.length}  warnings ${(r.report?.warnings ?? []).length}`;
    console.log(`${line('clean', clean)}\n${line('hostile', hostile)}\n[hostile-lab] deadline ${SCAN_DEADLINE_MS} ms (+20 % = ${Math.round(SCAN_DEADLINE_MS * 1.2)} ms), RSS limit ${RSS_LIMIT_MB} MB`);
  }, 300_000);

  afterAll(() => undefined);

  it('both scans produce a report', () => {
    expect(clean.report, clean.stderr.slice(-2000)).not.toBeNull();
    expect(hostile.report, hostile.stderr.slice(-2000)).not.toBeNull();
  });

  it('finishes within its deadline + 20 %, peak RSS under 250 MB', () => {
    expect(hostile.wallMs).toBeLessThanOrEqual(SCAN_DEADLINE_MS * 1.2);
    expect(clean.wallMs).toBeLessThanOrEqual(SCAN_DEADLINE_MS * 1.2);
    expect(hostile.peakRssMb).not.toBeNull();
    expect(hostile.peakRssMb!).toBeLessThan(RSS_LIMIT_MB);
  });

  it('reports every honest device exactly as the clean lab does', () => {
    const a = honestDevices(clean.report, clean.manifest);
    const b = honestDevices(hostile.report, hostile.manifest);
    for (const name of HONEST) {
      expect(a[name], `${name} missing from the clean lab`).toHaveLength(1);
      expect(b[name], name).toEqual(a[name]);
    }
  });

  it('gives the honest devices the same findings and check results', () => {
    const view = (r: Run) => {
      const ips = new Set(r.manifest.devices.filter((d) => HONEST.includes(d.name)).map((d) => d.address));
      return {
        findings: r.report.findings.filter((f) => ips.has(f.ip)).map((f) => `${f.ip} ${f.checkId} ${f.severity}`).sort(),
        checks: r.report.checks.filter((c) => ips.has(c.ip)).map((c) => `${c.ip} ${c.checkId} ${c.status}`).sort(),
      };
    };
    expect(view(hostile)).toEqual(view(clean));
  });

  it('shows each hostile behaviour as a report warning', () => {
    expect(warningsAt('SCAN_WARN_REPLY_FLOOD', ipOf('h-flood'))).toHaveLength(1);
    expect(warningsAt('SCAN_WARN_JUNK_REPLIES', ipOf('h-jumbo'))[0]?.message).toMatch(/65,507 bytes/);
    expect(warningsAt('SCAN_WARN_JUNK_REPLIES', ipOf('h-random'))).toHaveLength(1);
    expect(warningsAt('SCAN_WARN_OFF_SUBNET', SPOOF_ADDRESS)).toHaveLength(1);
    expect(warningsAt('SCAN_WARN_DUPLICATE_DEVICE_ID', SPOOF_ADDRESS).length + warningsAt('SCAN_WARN_OFF_SUBNET', SPOOF_ADDRESS).length).toBeGreaterThan(0);
    const twin = hostile.manifest.devices.find((d) => d.name === 'h-twin-a')!;
    expect((hostile.report.warnings ?? []).some((w) => w.code === 'SCAN_WARN_DUPLICATE_DEVICE_ID' && w.message.includes(String(twin.did)))).toBe(true);
    expect(warningsAt('SCAN_WARN_SLOW_BANNER', ipOf('h-trickle')).map((w) => /port (\d+)/.exec(w.message)?.[1]).sort()).toEqual(['22', '23']);
    expect(warningsAt('SCAN_WARN_OVERSIZED_REPLY', ipOf('h-stream')).length).toBeGreaterThanOrEqual(1);
    expect(warningsAt('SCAN_WARN_IDENTITY_FLOOD', ipOf('h-mdns'))).toHaveLength(1);
    expect(warningsAt('SCAN_WARN_BAD_REPLY', ipOf('h-deep'))).toHaveLength(1);
    // Honest devices raise none of these.
    const honestIps = new Set(hostile.manifest.devices.filter((d) => HONEST.includes(d.name)).map((d) => d.address));
    expect((hostile.report.warnings ?? []).filter((w) => w.ip !== undefined && honestIps.has(w.ip))).toEqual([]);
    expect(clean.report.warnings ?? []).toEqual([]);
  });

  it('the attackers really attacked (simulator request logs)', () => {
    const of = (device: string, kind: string) => hostile.requests.filter((r) => r.device === device && r.kind === kind);
    const floods = of('h-flood', 'hostile-flood');
    expect(floods.length).toBeGreaterThan(0);
    for (const f of floods) {
      const rate = (Number(f.detail['sent']) / Number(f.detail['ms'])) * 1000;
      console.log(`[hostile-lab] flood burst: ${f.detail['sent']} datagrams in ${f.detail['ms']} ms = ${Math.round(rate)}/s`);
      expect(rate).toBeGreaterThanOrEqual(10_000);
    }
    const deep = of('h-deep', 'miIO.info');
    expect(deep.length).toBeGreaterThan(0);
    console.log(`[hostile-lab] deep miIO.info: ${deep[0]!.detail['levels']} levels in ${deep[0]!.detail['bytes']} bytes`);
    expect(Number(deep[0]!.detail['levels'])).toBeGreaterThan(30_000);
    expect(of('h-jumbo', 'hello').length).toBeGreaterThan(0);
    expect(of('h-mdns', 'hostile-mdns-burst').length).toBeGreaterThan(0);
    const streamed = of('h-stream', 'hostile-stream').map((r) => Number(r.detail['bytesSent']));
    console.log(`[hostile-lab] 100 MiB stream: scanner connections took ${streamed.join(', ')} bytes before closing`);
    expect(streamed.length).toBeGreaterThan(0);
    expect(Math.max(...streamed)).toBeLessThan(100 * 1024 * 1024);
    expect(HOSTILE.every((n) => hostile.manifest.devices.some((d) => d.name === n))).toBe(true);
  });
});
