/**
 * What the human-facing writers (html, markdown) share: findings grouped per device, a plain-words
 * guess of what a device is, and the severity wording. Pure; no escaping here (each medium escapes
 * for itself).
 */
import type { CheckRun, DeviceReport, Finding, ScanReport } from '../schema.js';
import { compareSeverity, maxSeverity, SEVERITIES } from '../severity.js';
import type { Severity } from '../severity.js';

/** Most severe first. */
export const SEVERITIES_DESC: readonly Severity[] = [...SEVERITIES].reverse();

/** What each severity means for a homeowner (html legend, markdown footer). */
export const SEVERITY_MEANING: Readonly<Record<Severity, string>> = {
  critical: 'someone on your network (or beyond) can likely take over the device now',
  high: 'someone on your network can likely control the device or read its secrets',
  medium: 'a weakness that makes an attack easier; fix when you can',
  low: 'minor exposure; worth knowing',
  info: 'for your information; nothing to fix',
};

export const SEVERITY_LABEL: Readonly<Record<Severity, string>> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

export interface DeviceBlock {
  /** Null for findings/runs whose device is missing from `report.devices` (never dropped). */
  device: DeviceReport | null;
  ip: string;
  findings: Finding[];
  runs: CheckRun[];
  worst: Severity | null;
}

const keyOf = (x: { deviceId: string | null; ip: string }): string => (x.deviceId !== null ? 'did:' + x.deviceId : 'ip:' + x.ip);

/**
 * One block per device, worst first (then report order, which is by IP), findings most severe
 * first. Findings or runs of a device missing from `devices` get a block of their own.
 */
export function groupByDevice(report: ScanReport): DeviceBlock[] {
  const blocks = new Map<string, DeviceBlock>();
  for (const d of report.devices) {
    const k = keyOf(d);
    if (!blocks.has(k)) blocks.set(k, { device: d, ip: d.ip, findings: [], runs: [], worst: null });
  }
  const slot = (x: { deviceId: string | null; ip: string }): DeviceBlock => {
    const k = keyOf(x);
    let b = blocks.get(k);
    if (b === undefined) blocks.set(k, (b = { device: null, ip: x.ip, findings: [], runs: [], worst: null }));
    return b;
  };
  for (const f of report.findings) slot(f).findings.push(f);
  for (const r of report.checks) slot(r).runs.push(r);
  const list = [...blocks.values()];
  for (const b of list) {
    b.findings.sort((x, y) => compareSeverity(y.severity, x.severity));
    b.worst = maxSeverity(b.findings.map((f) => f.severity));
  }
  const rank = (s: Severity | null): number => (s === null ? -1 : SEVERITIES.indexOf(s));
  // Array.prototype.sort is stable: equal worst keeps report (IP) order.
  return list.sort((a, b) => rank(b.worst) - rank(a.worst));
}

/** Brand names for the first part of a miIO model id (`yeelink.light.color1`). */
const BRANDS: Readonly<Record<string, string>> = {
  yeelink: 'Yeelight',
  lumi: 'Aqara / Xiaomi',
  xiaomi: 'Xiaomi',
  chuangmi: 'Xiaomi',
  isa: 'Xiaomi',
  mijia: 'Xiaomi',
  dmaker: 'Xiaomi',
  cuco: 'Xiaomi',
  qmi: 'Xiaomi',
  zhimi: 'Smartmi / Xiaomi',
  roborock: 'Roborock',
  rockrobo: 'Roborock',
  dreame: 'Dreame',
  viomi: 'Viomi',
  philips: 'Philips / Xiaomi',
  deerma: 'Deerma',
  careli: 'Xiaomi',
};

/** Plain words for the middle part of a model id. */
const KINDS: ReadonlyArray<[RegExp, string]> = [
  [/^(light|bslamp|ceiling|lamp|strip|bulb)/, 'light'],
  [/^gateway|^hub|^acpartner/, 'smart-home hub'],
  [/^router|^repeater|^wifispeaker/, 'Wi-Fi router'],
  [/^vacuum|^sweeper/, 'robot vacuum'],
  [/^camera|^cateye|^doorbell/, 'camera'],
  [/^airpurifier/, 'air purifier'],
  [/^airmonitor|^airquality/, 'air-quality monitor'],
  [/^(plug|outlet|plugm)/, 'smart plug'],
  [/^(switch|ctrl_|wall)/, 'wall switch'],
  [/^fan/, 'fan'],
  [/^humidifier/, 'humidifier'],
  [/^heater/, 'heater'],
  [/^(sensor|weather)/, 'sensor'],
  [/^lock/, 'door lock'],
  [/^(speaker|wifispeaker)/, 'smart speaker'],
  [/^curtain/, 'curtain motor'],
  [/^tv/, 'TV'],
];

/**
 * A homeowner's name for what the device is, from its model id, or its vendor when no model is
 * known: `yeelink.light.color1` → "Yeelight light". Device-supplied parts come back unescaped.
 */
export function describeDevice(d: DeviceReport | null): string {
  if (d === null) return 'Device not in the device list';
  if (d.model !== null) {
    const [brandKey = '', kindKey = ''] = d.model.toLowerCase().split('.');
    const brand = BRANDS[brandKey];
    const kind = KINDS.find(([re]) => re.test(kindKey))?.[1];
    if (brand !== undefined && kind !== undefined) return `${brand} ${kind}`;
    if (brand !== undefined) return `${brand} device`;
    if (kind !== undefined) return kind.charAt(0).toUpperCase() + kind.slice(1);
  }
  if (d.xiaomiFamily === 'strong') return 'Xiaomi device';
  if (d.vendor !== null) return 'Device by ' + d.vendor;
  return 'Unknown device';
}

/** Token state in plain words. */
export function describeToken(d: DeviceReport): string {
  const t = d.token;
  const state =
    t.state === 'exposed-confirmed'
      ? 'exposed (anyone on the network can read it; confirmed)'
      : t.state === 'exposed-unconfirmed'
        ? 'exposed (anyone on the network can read it)'
        : t.state === 'hidden'
          ? 'hidden'
          : 'unknown (no miIO answer)';
  const supplied = t.supplied ? (t.valid === true ? '; your token works' : t.valid === false ? '; your token was rejected' : '; your token was not tried') : '';
  return state + supplied;
}

/** Counts of check runs by status for one device block. */
export function runCounts(runs: readonly CheckRun[]): Record<CheckRun['status'], number> {
  const c = { pass: 0, fail: 0, error: 0, skipped: 0 };
  for (const r of runs) c[r.status] += 1;
  return c;
}

/** References that are web links we can show as links (http/https only; anything else stays text). */
export function isWebLink(ref: string): boolean {
  try {
    const u = new URL(ref);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}
