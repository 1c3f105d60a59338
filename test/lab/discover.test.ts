/**
 * Lab acceptance of discovery (issue 3): `xmscan discover --json` with default options inside the
 * lab's LAN namespace lists every device with ip, mac, vendor, deviceId (hello / mDNS) and model
 * (mDNS / Yeelight / gateway) within 2.5 s wall; the device whose hello reply is garbage is still
 * listed (from ARP) and the others are unaffected. Root only; nothing reaches the real network.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyMac } from '@xmscan/scanner';
import { labUnavailableReason, resolveProfilesPath, simulatorEntry, startLab, type Lab, type LabManifestDevice } from './lab.mjs';

const BIN = fileURLToPath(new URL('../../packages/scanner/bin/xmscan.mjs', import.meta.url));
const CLI_BUILT = fileURLToPath(new URL('../../packages/scanner/dist/cli/main.js', import.meta.url));

function skipReason(): string | null {
  const why = labUnavailableReason();
  if (why) return why;
  if (!existsSync(simulatorEntry())) return 'simulator not built';
  if (!existsSync(CLI_BUILT)) return 'scanner not built';
  if (!existsSync(resolveProfilesPath('lab'))) return 'lab profile set missing';
  return null;
}
const why = skipReason();

interface JsonDevice {
  ip: string | null;
  mac: string | null;
  vendor: string | null;
  xiaomiFamily: string | null;
  deviceId: string | null;
  model: string | null;
  sources: string[];
  hello: { tokenField: string } | null;
  conflicts: unknown[];
}

describe.skipIf(why !== null)(`lab: xmscan discover ${why ? `(skipped: ${why})` : ''}`, () => {
  let lab: Lab;
  let devices: JsonDevice[] = [];
  let wallMs = 0;
  let stderr = '';
  let exitCode: number | null = null;
  let doc: Record<string, unknown> = {};

  beforeAll(async () => {
    lab = await startLab({ profiles: 'lab' });
    const t0 = Date.now();
    const r = await lab.exec(process.execPath, [BIN, 'discover', '--json']);
    wallMs = Date.now() - t0;
    exitCode = r.code;
    stderr = r.stderr;
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
    devices = doc['devices'] as JsonDevice[];
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const manifest = (): LabManifestDevice[] => lab.manifest.devices;
  const byIp = (ip: string) => devices.find((d) => d.ip === ip);

  it('has at least 8 mixed devices and exits 0 with one JSON document', () => {
    expect(manifest().length).toBeGreaterThanOrEqual(8);
    expect(exitCode).toBe(0);
    expect(doc).toMatchObject({ schemaVersion: 1 });
    expect(typeof doc['startedAt']).toBe('string');
  });

  it('finishes within 2.5 s wall with default options', () => {
    expect(wallMs).toBeLessThanOrEqual(2500);
  });

  it('lists every device with the correct ip, mac and vendor', () => {
    for (const d of manifest()) {
      const rec = byIp(d.address);
      expect(rec, `${d.name} @ ${d.address}`).toBeDefined();
      expect(rec!.mac, d.name).toBe(d.mac.toUpperCase());
      const expected = classifyMac(d.mac.toUpperCase());
      expect(rec!.vendor, d.name).toBe(expected.vendor);
      expect(rec!.xiaomiFamily, d.name).toBe(expected.xiaomiFamily);
      expect(rec!.vendor, d.name).not.toBeNull();
    }
  });

  it('deviceId wherever hello or mDNS gives it, model wherever mDNS, Yeelight or the gateway gives it', () => {
    for (const d of manifest()) {
      const rec = byIp(d.address)!;
      const garbage = (d as { helloReply?: string }).helloReply === 'garbage' || d.name === 'garbage';
      if (d.port !== null && !garbage) {
        expect(rec.deviceId, d.name).toBe(String(d.did));
        expect(rec.sources, d.name).toContain('hello-sweep');
      }
      if (d.mdnsName !== null) {
        expect(rec.deviceId, d.name).toBe(String(d.did));
        expect(rec.model, d.name).toBe(d.model);
      }
      if (d.yeelight) expect(rec.sources, d.name).toContain('yeelight');
      if (d.lumiGateway) expect(rec.sources, d.name).toContain('lumi');
      if (d.leaksToken) expect(rec.hello?.tokenField, d.name).toBe('exposed');
    }
  });

  it('a device that ignores broadcast is found by the unicast sweep', () => {
    const quiet = manifest().filter((d) => d.port !== null && !d.answersBroadcast);
    expect(quiet.length).toBeGreaterThan(0);
    for (const d of quiet) {
      const rec = byIp(d.address)!;
      expect(rec.sources, d.name).toContain('hello-sweep');
      expect(rec.sources, d.name).not.toContain('hello-broadcast');
    }
    // ... and one that answers broadcast is seen by it.
    const loud = manifest().find((d) => d.port !== null && d.answersBroadcast && d.name !== 'garbage');
    expect(byIp(loud!.address)!.sources).toContain('hello-broadcast');
  });

  it('the garbage-hello device is still listed from ARP, the junk logged at warn', () => {
    const g = manifest().find((d) => d.name === 'garbage')!;
    const rec = byIp(g.address)!;
    expect(rec.sources).toContain('arp');
    expect(rec.deviceId).toBeNull();
    expect(stderr).toMatch(/junk hello reply ignored/);
  });

  it('the malformed-TXT purifier is identified through the lenient mDNS decoder', () => {
    const m = manifest().find((d) => d.name === 'malformed')!;
    const rec = byIp(m.address)!;
    expect(rec.sources).toContain('mdns-lenient');
    expect(rec.model).toBe(m.model);
  });

  it('one record per device and only read-only requests reached the devices', () => {
    const ips = devices.map((d) => d.ip);
    expect(new Set(ips).size).toBe(ips.length);
    for (const r of lab.requests()) expect(r['readOnly'], JSON.stringify(r)).not.toBe(false);
  });
});
