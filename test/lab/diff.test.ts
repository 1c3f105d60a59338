/**
 * Lab acceptance of history + diff (issue 5). Two scans of the LAN lab into one history database; between
 * them the lab is rebuilt from a second profile variant in which one device's firmware changed, one port
 * opened and one device is gone. `xmscan diff --json` must report exactly those three changes and exit 1;
 * two scans of an unchanged lab diff to nothing with exit 0. Every device keeps its address and MAC across
 * variants (explicit `address` in the profiles), so nothing else may differ. Root only; lab namespaces only.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnavailableReason, resolveProfilesPath, simulatorEntry, startLab, type Lab } from './lab.mjs';

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

// Devices of the lab set used here, each pinned to an address so a missing device shifts no one else.
const PICK: Record<string, string> = { purifier: '10.213.0.21', bulb: '10.213.0.22', slow: '10.213.0.23', host: '10.213.0.24' };
const FIRMWARE_FROM = '2.1.5_0021';
const FIRMWARE_TO = '2.1.6_0030';
// Not a default port and no check looks at it: the port opening is the only change it causes.
const NEW_PORT = 9000;

type Profile = Record<string, unknown> & { name: string; fw_ver: string; tcp?: unknown[] };

function variants(dir: string): { a: string; b: string } {
  const all = (JSON.parse(readFileSync(resolveProfilesPath('lab'), 'utf8')) as { devices: Profile[] }).devices;
  const base = all.filter((d) => d.name in PICK).map((d) => ({ ...d, address: PICK[d.name] }));
  expect(base.map((d) => d.name).sort()).toEqual(Object.keys(PICK).sort());
  expect(base.find((d) => d.name === 'purifier')!.fw_ver).toBe(FIRMWARE_FROM);
  const b = base
    .filter((d) => d.name !== 'bulb') // gone
    .map((d) => (d.name === 'purifier' ? { ...d, fw_ver: FIRMWARE_TO } : d)) // firmware changed
    .map((d) => (d.name === 'slow' ? { ...d, tcp: [...(d.tcp ?? []), { port: NEW_PORT, service: 'raw', banner: 'hello\r\n' }] } : d)); // port opened
  const fa = join(dir, 'variant-a.json');
  const fb = join(dir, 'variant-b.json');
  writeFileSync(fa, JSON.stringify({ devices: base }, null, 2));
  writeFileSync(fb, JSON.stringify({ devices: b }, null, 2));
  return { a: fa, b: fb };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(why !== null)(`lab: xmscan diff ${why ? `(skipped: ${why})` : ''}`, () => {
  let dir = '';
  let db = '';
  let tokens = '';
  let lab: Lab | null = null;
  const scans: Run[] = [];
  let changed: Run;
  let same: Run;
  let history: Run;

  const scanOnce = async (l: Lab): Promise<Run> => {
    // --fail-on none: this test is about history and diff, not the scan's own exit code.
    const r = await l.exec(process.execPath, [BIN, 'scan', '--json', '--history', db, '--tokens', tokens, '--ports', String(NEW_PORT), '--fail-on', 'none', '--lock-file', join(dir, 'scan.lock')], { timeoutMs: 90_000 });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };
  const cli = async (l: Lab, args: string[]): Promise<Run> => {
    const r = await l.exec(process.execPath, [BIN, ...args, '--history', db], { timeoutMs: 30_000 });
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xmscan-diff-lab-'));
    db = join(dir, 'history', 'history.sqlite');
    tokens = join(dir, 'tokens.json');
    const { a, b } = variants(dir);
    lab = await startLab({ profiles: a });
    writeFileSync(tokens, JSON.stringify(lab.manifest.devices.map((d) => ({ did: String(d.did), token: d.token, ip: d.address }))));
    scans.push(await scanOnce(lab)); // 1: variant A
    scans.push(await scanOnce(lab)); // 2: variant A again
    same = await cli(lab, ['diff', '1', '2', '--json']);
    await lab.stop();
    lab = await startLab({ profiles: b });
    scans.push(await scanOnce(lab)); // 3: variant B
    changed = await cli(lab, ['diff', '--json']); // default: the last two (2 → 3)
    history = await cli(lab, ['history', '--json']);
  }, 300_000);

  afterAll(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every scan', () => {
    for (const s of scans) expect(s.code, s.stderr).toBe(0);
    const h = JSON.parse(history.stdout) as { scans: { id: number; devices: number }[] };
    expect(h.scans.map((s) => s.id)).toEqual([1, 2, 3]);
    expect(h.scans.map((s) => s.devices)).toEqual([4, 4, 3]);
  });

  it('two scans of an unchanged lab: no changes, exit 0', () => {
    expect(same.code, same.stderr).toBe(0);
    const d = JSON.parse(same.stdout) as { changes: unknown[] };
    expect(d.changes).toEqual([]);
  });

  it('reports exactly the firmware change, the opened port and the gone device, exit 1', () => {
    expect(changed.code, changed.stderr).toBe(1);
    const d = JSON.parse(changed.stdout) as { from: { scanId: number }; to: { scanId: number }; changes: Record<string, unknown>[]; summary: Record<string, number> };
    expect(d.from.scanId).toBe(2);
    expect(d.to.scanId).toBe(3);
    const simple = d.changes.map((c) => {
      const { device, ...rest } = c as { device?: { ip: string } };
      return device ? { ...rest, ip: device.ip } : rest;
    });
    expect(simple).toHaveLength(3);
    expect(simple).toEqual(
      expect.arrayContaining([
        { kind: 'firmware-changed', key: 'did:268435501', from: FIRMWARE_FROM, to: FIRMWARE_TO },
        { kind: 'port-opened', key: 'did:60001234', port: NEW_PORT, protocol: 'tcp' },
        { kind: 'device-gone', key: 'did:13646404', ip: PICK['bulb'] },
      ]),
    );
    expect(d.summary['firmware-changed']).toBe(1);
    expect(d.summary['port-opened']).toBe(1);
    expect(d.summary['device-gone']).toBe(1);
  });
});
