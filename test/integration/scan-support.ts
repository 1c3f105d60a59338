/**
 * Shared by the issue-4 scan acceptance tests (test/integration/scan-loopback.test.ts, test/lab/scan.test.ts):
 * token files generated from a simulator manifest in the formats users bring, the report contract
 * (JSON Schema + the CLI shape), and the secret needles a test greps every output for.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';

export interface ManifestLike {
  name: string;
  address: string;
  port: number | null;
  did: number;
  model: string;
  mac: string;
  token: string;
}

/** Devices a tokens file can name: miIO devices (the others have no usable token). */
const miio = (devices: readonly ManifestLike[]) => devices.filter((d) => d.port !== null);

/** Home Assistant `.storage/core.config_entries` with one xiaomi_miio entry per device (plus an unrelated domain). */
export function homeAssistantTokens(devices: readonly ManifestLike[]): string {
  const entries: unknown[] = [
    { domain: 'sun', entry_id: '01SUN', data: {}, options: {}, source: 'import', title: 'Sun', unique_id: null, version: 1 },
  ];
  miio(devices).forEach((d, i) => {
    entries.push({
      created_at: '2026-01-01T00:00:00+00:00',
      domain: 'xiaomi_miio',
      entry_id: `01XM${String(i).padStart(4, '0')}`,
      // HA keeps host, token, model and a lower-case MAC; no device id.
      data: { host: d.address, token: d.token, model: d.model, mac: d.mac.toLowerCase(), flow_type: 'device' },
      options: {},
      source: 'user',
      title: d.name,
      unique_id: d.mac.toLowerCase(),
      version: 1,
    });
  });
  return JSON.stringify({ version: 1, minor_version: 5, key: 'core.config_entries', data: { entries } }, null, 2);
}

/** Xiaomi-cloud-tokens-extractor printed blocks (with its ANSI colour around the token). */
export function extractorTextTokens(devices: readonly ManifestLike[]): string {
  const lines = ['Logging in...', 'Logged in.', '', '\u001b[1mDevices found for server "de" @ home "100000001":\u001b[0m'];
  for (const d of miio(devices)) {
    lines.push('   ---------', `   NAME:     ${d.name}`, `   ID:       ${d.did}`, `   MAC:      ${d.mac.toUpperCase()}`, `   IP:       ${d.address}`);
    lines.push(`   TOKEN:    \u001b[32m${d.token}\u001b[0m`, `   MODEL:    ${d.model}`);
  }
  lines.push('   ---------', '');
  return lines.join('\n');
}

/** Xiaomi-cloud-tokens-extractor `-o` JSON (server → homes → raw cloud records). */
export function extractorJsonTokens(devices: readonly ManifestLike[]): string {
  const records = miio(devices).map((d) => ({
    did: String(d.did),
    token: d.token,
    name: d.name,
    localip: d.address,
    mac: d.mac.toUpperCase(),
    model: d.model,
    isOnline: true,
    parent_id: '',
    pid: '0',
  }));
  return JSON.stringify([{ server: 'de', homes: [{ home_id: 100000001, home_owner: 200000001, devices: records }] }], null, 2);
}

/** Every form a token could leak in: hex (both cases) and base64 / base64url of the raw bytes. */
export function secretNeedles(tokens: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of tokens) {
    const raw = Buffer.from(t, 'hex');
    out.add(t.toLowerCase());
    out.add(t.toUpperCase());
    out.add(raw.toString('base64'));
    out.add(raw.toString('base64url'));
    out.add(raw.toString('base64').replace(/=+$/, ''));
  }
  return [...out];
}

export function findSecrets(haystacks: Record<string, string>, needles: readonly string[]): string[] {
  const hits: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) for (const n of needles) if (text.includes(n)) hits.push(`${where} contains ${n.slice(0, 6)}…`);
  return hits;
}

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;
const SCHEMA_FILE = fileURLToPath(new URL('../../packages/report/schema/report-v1.schema.json', import.meta.url));

export function reportValidator(): (doc: unknown) => string[] {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

const TOKEN_STATES = ['exposed-confirmed', 'exposed-unconfirmed', 'hidden', 'unknown'];
const DISCOVER_FIELDS = ['ip', 'mac', 'vendor', 'xiaomiFamily', 'deviceId', 'model', 'names', 'sources'];

/** The CLI contract of `xmscan scan --json` (issue 4), checked field by field on top of the schema. */
export function expectCliContract(doc: Record<string, unknown>): void {
  expect(doc['schemaVersion']).toBe(1);
  for (const k of ['startedAt', 'finishedAt']) expect(Number.isNaN(Date.parse(String(doc[k]))), k).toBe(false);
  expect(Date.parse(String(doc['finishedAt']))).toBeGreaterThanOrEqual(Date.parse(String(doc['startedAt'])));
  const devices = doc['devices'] as Record<string, unknown>[];
  expect(Array.isArray(devices)).toBe(true);
  for (const d of devices) {
    for (const k of DISCOVER_FIELDS) expect(d, `device ${String(d['ip'])} ${k}`).toHaveProperty(k);
    const fw = d['firmware'] as Record<string, unknown> | null;
    if (fw !== null) expect(Object.keys(fw).sort()).toEqual(['hardware', 'mcu', 'version', 'wifi']);
    const tok = d['token'] as Record<string, unknown>;
    expect(TOKEN_STATES).toContain(tok['state']);
    expect(typeof tok['supplied']).toBe('boolean');
    expect([true, false, null]).toContain(tok['valid']);
    expect(tok).toHaveProperty('fingerprint');
    if (tok['fingerprint'] !== null) expect(tok['fingerprint']).toMatch(/^tok:[0-9a-f]{12}$/);
    for (const p of d['openPorts'] as Record<string, unknown>[]) {
      for (const k of ['port', 'protocol', 'service', 'banner']) expect(p).toHaveProperty(k);
      expect(['tcp', 'udp']).toContain(p['protocol']);
    }
  }
  for (const c of doc['checks'] as Record<string, unknown>[]) {
    expect(typeof c['checkId']).toBe('string');
    expect(c['deviceId'] !== undefined || c['ip'] !== undefined).toBe(true);
    expect(['pass', 'fail', 'error', 'skipped']).toContain(c['status']);
  }
  for (const f of doc['findings'] as Record<string, unknown>[]) {
    for (const k of ['checkId', 'severity', 'title', 'ip', 'deviceId', 'evidence', 'remediation', 'references']) expect(f, `finding ${String(f['checkId'])}`).toHaveProperty(k);
    expect(['info', 'low', 'medium', 'high', 'critical']).toContain(f['severity']);
    expect(Array.isArray(f['references'])).toBe(true);
  }
}

/** Banners as compared with a profile: CR dropped, surrounding whitespace trimmed. */
export const normBanner = (s: string | null | undefined): string => (s ?? '').replace(/\r/g, '').trim();

/** JSON lines (pino) → objects; anything else kept as a string. */
export function parseLogLines(text: string): (Record<string, unknown> | string)[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return l;
      }
    });
}

// ------------------------------------------------------------------------------------------ scan properties

export interface ManifestDevice extends ManifestLike {
  fw_ver: string;
  hw_ver: string;
  leaksToken: boolean;
  answersInfo: boolean;
  tcpPorts: number[];
  helloReply?: string | null;
  mdnsName: string | null;
}

/** What a profile says about a TCP service (packages/simulator/src/profile.ts `tcp`). */
export interface ProfileTcp {
  port: number;
  service: string;
  banner?: string;
  server?: string;
  connack?: number;
}
export interface ProfileLike {
  name: string;
  tcp?: ProfileTcp[];
}

interface ReportDevice {
  ip: string;
  deviceId: string | null;
  mac: string | null;
  firmware: { version: string | null; hardware: string | null; wifi: string | null; mcu: string | null } | null;
  token: { state: string; supplied: boolean; valid: boolean | null; fingerprint: string | null };
  openPorts: { port: number; protocol: string; service: string | null; banner: string | null }[];
}
interface ReportCheck {
  checkId: string;
  ip: string;
  status: string;
  reason?: string;
}
interface ReportFinding {
  checkId: string;
  severity: string;
  ip: string;
  evidence: Record<string, unknown>;
  references: string[];
}

const devicesOf = (doc: Record<string, unknown>) => doc['devices'] as ReportDevice[];
const checksOf = (doc: Record<string, unknown>) => doc['checks'] as ReportCheck[];
const findingsOf = (doc: Record<string, unknown>) => doc['findings'] as ReportFinding[];

export const deviceAt = (doc: Record<string, unknown>, ip: string) => devicesOf(doc).find((d) => d.ip === ip);

/** Leakers exposed-confirmed with a high/critical finding; hidden ones `hidden` with none. */
export function expectTokenVerdicts(doc: Record<string, unknown>, manifest: readonly ManifestDevice[]): { leaking: number; hidden: number } {
  let leaking = 0;
  let hidden = 0;
  for (const m of manifest.filter((x) => x.port !== null && (x.helloReply ?? 'normal') === 'normal')) {
    const d = deviceAt(doc, m.address);
    expect(d, `${m.name} in the report`).toBeDefined();
    const exposedFindings = findingsOf(doc).filter((f) => f.ip === m.address && f.checkId === 'miio-token-exposed');
    if (m.leaksToken) {
      leaking++;
      expect(d!.token.state, m.name).toBe('exposed-confirmed');
      expect(exposedFindings.length, m.name).toBe(1);
      expect(['high', 'critical'], m.name).toContain(exposedFindings[0]!.severity);
    } else {
      hidden++;
      expect(d!.token.state, m.name).toBe('hidden');
      expect(exposedFindings, m.name).toEqual([]);
    }
  }
  return { leaking, hidden };
}

/** `firmware.version` / `hardware` equal the profile for every device that answers miIO.info; the supplied token is valid. */
export function expectFirmwareFromInfo(doc: Record<string, unknown>, manifest: readonly ManifestDevice[]): number {
  let n = 0;
  for (const m of manifest.filter((x) => x.port !== null && x.answersInfo && (x.helloReply ?? 'normal') === 'normal')) {
    const d = deviceAt(doc, m.address);
    expect(d, m.name).toBeDefined();
    expect(d!.firmware, m.name).not.toBeNull();
    expect({ version: d!.firmware!.version, hardware: d!.firmware!.hardware }, m.name).toEqual({ version: m.fw_ver, hardware: m.hw_ver });
    expect(d!.token, m.name).toMatchObject({ supplied: true, valid: true });
    n++;
  }
  return n;
}

/** Open TCP ports equal the profile's; banners carry what the profile serves. */
export function expectPortsAndBanners(doc: Record<string, unknown>, manifest: readonly ManifestDevice[], profiles: readonly ProfileLike[]): number {
  let banners = 0;
  for (const m of manifest) {
    const d = deviceAt(doc, m.address);
    if (d === undefined) continue;
    const tcp = d.openPorts.filter((p) => p.protocol === 'tcp');
    expect(tcp.map((p) => p.port).sort((a, b) => a - b), m.name).toEqual([...m.tcpPorts].sort((a, b) => a - b));
    for (const t of profiles.find((p) => p.name === m.name)?.tcp ?? []) {
      const got = tcp.find((p) => p.port === t.port);
      const text = got?.banner ?? '';
      if (t.banner !== undefined) {
        expect(normBanner(text), `${m.name}:${t.port}`).toBe(normBanner(t.banner));
        banners++;
      } else if (t.server) {
        expect(text, `${m.name}:${t.port}`).toContain(`Server: ${t.server}`);
        banners++;
      } else if (t.connack !== undefined) {
        expect(text, `${m.name}:${t.port}`).toContain(`CONNACK ${t.connack}`);
        banners++;
      }
    }
  }
  return banners;
}

/** The advisory's finding (with every reference of the record) on `inRange`, not on `outOfRange`. */
export function expectAdvisoryFinding(doc: Record<string, unknown>, advisory: { id: string; references: { url: string }[] }, inRange: string, outOfRange: readonly string[]): void {
  const of = (ip: string) => findingsOf(doc).filter((f) => f.ip === ip && f.checkId === 'firmware-advisory' && f.evidence['advisory'] === advisory.id);
  const hit = of(inRange);
  expect(hit, `${advisory.id} on ${inRange}`).toHaveLength(1);
  expect(hit[0]!.references).toEqual(expect.arrayContaining(advisory.references.map((r) => r.url)));
  for (const ip of outOfRange) expect(of(ip), `${advisory.id} on ${ip}`).toEqual([]);
}

/** A device that answers hello but never miIO.info: honest unknowns, info checks skipped/error with a reason. */
export function expectSilentInfoDevice(doc: Record<string, unknown>, m: ManifestDevice): void {
  const d = deviceAt(doc, m.address);
  expect(d, m.name).toBeDefined();
  expect(d!.firmware).toBeNull();
  expect(d!.token).toMatchObject({ state: 'hidden', supplied: true, valid: null });
  const run = (id: string) => checksOf(doc).find((c) => c.ip === m.address && c.checkId === id);
  for (const id of ['cloud-link', 'firmware-older-than-known', 'miio-setup-mode', 'miio-token-stale']) {
    const c = run(id);
    expect(c, id).toBeDefined();
    expect(['skipped', 'error'], id).toContain(c!.status);
    expect(c!.reason ?? '', id).toMatch(/miIO\.info.*(TIMEOUT|did not answer)|TIMEOUT/);
  }
  expect(findingsOf(doc).filter((f) => f.ip === m.address && f.checkId === 'miio-token-stale')).toEqual([]);
}

/**
 * Environment for a CLI child that touches none of the user's state: its own HOME and XDG directories
 * (scan lock, history, config live there), no XMSCAN_* settings and no systemd/runtime directories, so
 * scans run by other processes on this machine neither block nor change it.
 */
export function isolatedCliEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('XMSCAN_') || k === 'RUNTIME_DIRECTORY' || k === 'STATE_DIRECTORY' || k === 'XDG_RUNTIME_DIR') continue;
    env[k] = v;
  }
  mkdirSync(join(dir, 'home'), { recursive: true });
  return {
    ...env,
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: join(dir, 'home', '.config'),
    XDG_DATA_HOME: join(dir, 'home', '.local', 'share'),
    XDG_STATE_HOME: join(dir, 'home', '.local', 'state'),
  };
}
