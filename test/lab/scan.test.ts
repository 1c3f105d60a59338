/**
 * Lab acceptance of `xmscan scan` (issue 4): the `lab-scan` profile set, one simulator per network
 * namespace, the scanner with default options in the LAN namespace (real ARP, broadcast, multicast).
 * Tokens come in Home Assistant `.storage/core.config_entries` and in both Xiaomi-cloud-tokens-extractor
 * shapes (printed text, `-o` JSON), generated from the lab manifest; one run has no tokens at all.
 * Asserts token verdicts, firmware from miIO.info, ports and banners, advisory findings, the device
 * that never answers miIO.info, wall time, read-only requests (every simulator's log), no secret in
 * any output, and the report contract. Root only; nothing reaches the real network.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUnavailableReason, resolveProfilesPath, simulatorEntry, startLab, type Lab } from './lab.mjs';
import {
  deviceAt,
  expectAdvisoryFinding,
  expectCliContract,
  expectFirmwareFromInfo,
  expectPortsAndBanners,
  expectSilentInfoDevice,
  expectTokenVerdicts,
  extractorJsonTokens,
  extractorTextTokens,
  findSecrets,
  homeAssistantTokens,
  isolatedCliEnv,
  parseLogLines,
  reportValidator,
  secretNeedles,
  type ManifestDevice,
  type ProfileLike,
} from '../integration/scan-support.js';

const PROFILES = 'lab-scan';
const BIN = fileURLToPath(new URL('../../packages/scanner/bin/xmscan.mjs', import.meta.url));
const CLI_BUILT = fileURLToPath(new URL('../../packages/scanner/dist/cli/main.js', import.meta.url));
const ADVISORY = JSON.parse(readFileSync(fileURLToPath(new URL('../../packages/miio-probe/data/advisories/XMSA-0037.json', import.meta.url)), 'utf8')) as {
  id: string;
  references: { url: string }[];
};
// CLI default discovery window + SCAN_DEFAULTS.probeDeadlineMs + start-up slack: the scan's own deadline.
const DISCOVERY_MS = 1500;
const PROBE_DEADLINE_MS = 6000;

function skipReason(): string | null {
  const why = labUnavailableReason();
  if (why) return why;
  if (!existsSync(simulatorEntry())) return 'simulator not built';
  if (!existsSync(CLI_BUILT)) return 'scanner not built';
  if (!existsSync(resolveProfilesPath(PROFILES))) return `profile set ${PROFILES} missing`;
  return null;
}
const why = skipReason();

interface ProfileDevice extends ProfileLike {
  router?: { hardware: string; romversion: string; serial?: string };
}

interface Run {
  label: string;
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  doc: Record<string, unknown>;
}

type Label = 'ha' | 'extractor-text' | 'extractor-json' | 'none';

describe.skipIf(why !== null)(`lab: xmscan scan ${why ? `(skipped: ${why})` : ''}`, () => {
  let lab: Lab;
  let manifest: ManifestDevice[] = [];
  const runs = {} as Record<Label, Run>;
  const profiles = (JSON.parse(readFileSync(resolveProfilesPath(PROFILES), 'utf8')) as { devices: ProfileDevice[] }).devices;

  async function scanIn(label: Label, extra: string[]): Promise<Run> {
    const t0 = Date.now();
    const r = await lab.exec(process.execPath, [BIN, 'scan', '--json', '--log-level', 'debug', ...extra], { env: isolatedCliEnv(lab.dir), timeoutMs: 60_000 });
    const wallMs = Date.now() - t0;
    let doc: Record<string, unknown> = {};
    try {
      doc = JSON.parse(r.stdout) as Record<string, unknown>;
    } catch {
      /* asserted below */
    }
    return { label, code: r.code, stdout: r.stdout, stderr: r.stderr, wallMs, doc };
  }

  beforeAll(async () => {
    lab = await startLab({ profiles: PROFILES });
    manifest = lab.manifest.devices as unknown as ManifestDevice[];
    const files: Record<Exclude<Label, 'none'>, string> = {
      ha: join(lab.dir, 'core.config_entries'),
      'extractor-text': join(lab.dir, 'extractor.txt'),
      'extractor-json': join(lab.dir, 'extractor.json'),
    };
    writeFileSync(files.ha, homeAssistantTokens(manifest));
    writeFileSync(files['extractor-text'], extractorTextTokens(manifest));
    writeFileSync(files['extractor-json'], extractorJsonTokens(manifest));
    // One after the other: each scan gets the lab to itself.
    for (const label of Object.keys(files) as (keyof typeof files)[]) runs[label] = await scanIn(label, ['--tokens', files[label]]);
    runs.none = await scanIn('none', []);
  }, 180_000);

  afterAll(async () => {
    await lab?.stop();
  });

  const all = () => Object.values(runs);
  const tokenRuns = () => [runs.ha, runs['extractor-text'], runs['extractor-json']];

  it('has 8+ mixed devices; each run prints one report valid against the schema and the CLI contract', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(8);
    const validate = reportValidator();
    for (const r of all()) {
      expect(r.code, `${r.label}: ${r.stderr.slice(-400)}`).not.toBeNull();
      expect(r.doc['schemaVersion'], `${r.label}: exit ${r.code}; stdout ${r.stdout.slice(0, 200)}; stderr ${r.stderr.slice(-600)}`).toBe(1);
      expect(validate(r.doc), r.label).toEqual([]);
      expectCliContract(r.doc);
    }
  });

  it('every lab device is in every report with its MAC', () => {
    for (const r of all()) {
      for (const m of manifest) {
        const d = deviceAt(r.doc, m.address);
        expect(d, `${r.label}: ${m.name}`).toBeDefined();
        expect(d!.mac, `${r.label}: ${m.name}`).toBe(m.mac.toUpperCase());
      }
    }
  });

  it('leaking devices are exposed-confirmed with a high/critical finding, hidden ones are not', () => {
    for (const r of all()) {
      const n = expectTokenVerdicts(r.doc, manifest);
      expect(n.leaking, r.label).toBeGreaterThanOrEqual(3);
      expect(n.hidden, r.label).toBeGreaterThanOrEqual(5);
    }
  });

  it('firmware.version and hardware equal the profile for every device that answers miIO.info, in every token format', () => {
    for (const r of tokenRuns()) expect(expectFirmwareFromInfo(r.doc, manifest), r.label).toBeGreaterThanOrEqual(8);
    // The router has no miIO: its firmware comes from init_info.
    for (const m of manifest.filter((x) => x.port === null && (x as { router?: boolean }).router)) {
      for (const r of all()) expect(deviceAt(r.doc, m.address)?.firmware, `${r.label}: ${m.name}`).toMatchObject({ version: m.fw_ver, hardware: m.hw_ver });
    }
  });

  it('open TCP ports and banners match the profiles', () => {
    for (const r of all()) expect(expectPortsAndBanners(r.doc, manifest, profiles), r.label).toBeGreaterThanOrEqual(8);
  });

  it('a device whose model and firmware fall in an advisory range gets that advisory with its references; one outside does not', () => {
    const inRange = manifest.find((d) => d.model === 'rockrobo.vacuum.v1')!;
    const outside = manifest.find((d) => d.model === 'roborock.vacuum.s5')!;
    expect(inRange && outside).toBeTruthy();
    // With tokens every device's firmware is known; the s5's build 2034 is past the advisory's 1910.
    for (const r of tokenRuns()) expectAdvisoryFinding(r.doc, ADVISORY, inRange.address, manifest.filter((d) => d !== inRange).map((d) => d.address));
    expect(deviceAt(runs.ha.doc, outside.address)?.firmware?.version).toBe(outside.fw_ver);
  });

  it('the device that answers hello but never miIO.info is reported honestly; every scan ends within its deadline', () => {
    const hub = manifest.find((d) => d.port !== null && !d.answersInfo)!;
    expect(hub).toBeDefined();
    for (const r of tokenRuns()) expectSilentInfoDevice(r.doc, hub);
    for (const r of all()) {
      expect(r.wallMs, r.label).toBeLessThan(DISCOVERY_MS + PROBE_DEADLINE_MS + 1500);
      const warnings = (r.doc['warnings'] as { code: string }[] | undefined) ?? [];
      expect(warnings.map((w) => w.code), r.label).not.toContain('SCAN_WARN_DEADLINE');
      const stages = parseLogLines(r.stderr).find((l) => typeof l === 'object' && l['msg'] === 'scan stages') as Record<string, number> | undefined;
      expect(stages, r.label).toBeDefined();
      console.log(
        `[lab-scan] ${r.label}: wall ${r.wallMs} ms (in-process total ${stages!['totalMs']} ms: discovery ${stages!['discoveryMs']} ms, probes ${stages!['probeMs']} ms), ${stages!['devices']} devices`,
      );
    }
  });

  it('every simulator logged only read-only requests, miIO.info among them', () => {
    const reqs = lab.requests();
    expect(reqs.length).toBeGreaterThan(100);
    expect(reqs.filter((r) => r['readOnly'] !== true)).toEqual([]);
    expect(reqs.some((r) => r['proto'] === 'miio' && r['kind'] === 'miIO.info')).toBe(true);
    // Every device was reached by something.
    const reached = new Set(reqs.map((r) => r['device']));
    for (const m of manifest) expect(reached.has(m.name), m.name).toBe(true);
  });

  it('no token (hex or base64) nor router serial in stdout, stderr (debug logs) or any report', () => {
    const serials = profiles.map((p) => p.router?.serial).filter((s): s is string => typeof s === 'string');
    const needles = [...secretNeedles(manifest.map((d) => d.token)), ...serials];
    expect(serials.length).toBeGreaterThan(0);
    const hay: Record<string, string> = {};
    for (const r of all()) {
      hay[`${r.label}.stdout`] = r.stdout;
      hay[`${r.label}.stderr`] = r.stderr;
      hay[`${r.label}.report`] = JSON.stringify(r.doc);
    }
    expect(findSecrets(hay, needles)).toEqual([]);
    expect(parseLogLines(runs.ha.stderr).filter((l) => typeof l === 'object' && l['level'] === 20).length).toBeGreaterThan(3);
  });
});
