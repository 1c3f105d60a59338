/**
 * What changed between two scans (issue 5). Pure: the same two reports give the same diff, byte for byte.
 *
 * Devices are matched by identity, never by IP when better is known: the miIO device id first, then the
 * MAC, and the IP only for a device that revealed neither (DHCP hands out new addresses; a moved device is
 * an `ip-changed`, not one device gone and another new).
 *
 * What is reported for a device seen in only one scan:
 * - `device-new` carries the device (its ports and token state are in it) plus one `finding-new` per
 *   finding of that device: those are new problems on the network.
 * - `device-gone` carries the device and nothing else: a device that did not answer tells nothing about
 *   whether its problems were fixed, so its findings are not "resolved".
 *
 * Findings the newer scan suppressed (`report.suppressed`, from --ignore) are not "resolved" either: the
 * problem is still there, the user accepted it. A suppression that expires brings the finding back as new.
 */
import { ipSortKey } from './build.js';
import type { DeviceReport, Finding, ScanReport, TokenState } from './schema.js';
import { severityAtLeast } from './severity.js';
import type { Severity } from './severity.js';

/** 'did:<id>' | 'mac:<MAC>' | 'ip:<ip>': by device id, then MAC, IP only when nothing better is known. */
export type DeviceKey = string;

export type Change =
  | { kind: 'device-new'; key: DeviceKey; device: DeviceReport }
  | { kind: 'device-gone'; key: DeviceKey; device: DeviceReport }
  | { kind: 'ip-changed'; key: DeviceKey; from: string; to: string }
  | { kind: 'firmware-changed'; key: DeviceKey; from: string | null; to: string | null }
  | { kind: 'token-exposed' | 'token-hidden'; key: DeviceKey; from: TokenState; to: TokenState }
  | { kind: 'port-opened' | 'port-closed'; key: DeviceKey; port: number; protocol: 'tcp' | 'udp' }
  | { kind: 'finding-new' | 'finding-resolved'; key: DeviceKey; finding: Finding };

export type ChangeKind = Change['kind'];

/** Every change kind, in the order a diff lists them for one device. */
export const CHANGE_KINDS: readonly ChangeKind[] = [
  'device-new',
  'device-gone',
  'ip-changed',
  'firmware-changed',
  'token-exposed',
  'token-hidden',
  'port-opened',
  'port-closed',
  'finding-new',
  'finding-resolved',
];

export interface ReportDiff {
  from: { startedAt: string; scanId?: number };
  to: { startedAt: string; scanId?: number };
  changes: Change[];
  summary: Record<ChangeKind, number>;
}

export interface DiffOptions {
  /** History ids of the two scans, copied into `from` / `to` when given. */
  fromScanId?: number;
  toScanId?: number;
}

/** Normalise a MAC to upper case with colons; anything that is not 12 hex digits is kept as is (upper-cased). */
export function normalizeMac(mac: string): string {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length === 12 && /^[0-9a-fA-F:.\-\s]+$/.test(mac)) return hex.toUpperCase().match(/../g)!.join(':');
  return mac.trim().toUpperCase();
}

/**
 * A miIO device id that identifies a device. Routers and Android boxes answer with did 0 (and some
 * firmwares with an empty id): that is a placeholder shared by many devices, not an identity.
 */
function usableDid(did: string | null | undefined): string | null {
  if (did === null || did === undefined) return null;
  const t = did.trim();
  return t === '' || t === '0' ? null : t;
}

function usableMac(mac: string | null | undefined): string | null {
  if (mac === null || mac === undefined || mac.trim() === '') return null;
  return normalizeMac(mac);
}

/** The identity of a device: `did:<id>`, else `mac:<MAC>`, else `ip:<ip>`. */
export function deviceKey(d: { deviceId: string | null; mac: string | null; ip: string }): DeviceKey {
  const did = usableDid(d.deviceId);
  if (did !== null) return 'did:' + did;
  const mac = usableMac(d.mac);
  if (mac !== null) return 'mac:' + mac;
  return 'ip:' + d.ip;
}

/**
 * Same device? Device ids decide when both sides have one; else MACs when both have one; the IP only
 * when neither side knows an id or a MAC.
 */
function sameDevice(a: DeviceReport, b: DeviceReport): 'did' | 'mac' | 'ip' | null {
  const da = usableDid(a.deviceId);
  const db = usableDid(b.deviceId);
  if (da !== null && db !== null) return da === db ? 'did' : null;
  const ma = usableMac(a.mac);
  const mb = usableMac(b.mac);
  if (ma !== null && mb !== null) return ma === mb ? 'mac' : null;
  if (da === null && db === null && ma === null && mb === null) return a.ip === b.ip ? 'ip' : null;
  return null;
}

/** Pairs of (index in a, index in b); strongest evidence first so a weak match cannot steal a strong one. */
function matchDevices(a: readonly DeviceReport[], b: readonly DeviceReport[]): Map<number, number> {
  const aToB = new Map<number, number>();
  const usedB = new Set<number>();
  for (const level of ['did', 'mac', 'ip'] as const) {
    for (let i = 0; i < a.length; i++) {
      if (aToB.has(i)) continue;
      for (let j = 0; j < b.length; j++) {
        if (usedB.has(j)) continue;
        if (sameDevice(a[i]!, b[j]!) === level) {
          aToB.set(i, j);
          usedB.add(j);
          break;
        }
      }
    }
  }
  return aToB;
}

const isExposed = (s: TokenState): boolean => s === 'exposed-confirmed' || s === 'exposed-unconfirmed';

/** Which device of `devices` a finding belongs to: same device id, else same MAC, else same IP. */
function ownerIndex(f: Finding, devices: readonly DeviceReport[]): number {
  const did = usableDid(f.deviceId);
  if (did !== null) {
    const i = devices.findIndex((d) => usableDid(d.deviceId) === did);
    if (i >= 0) return i;
  }
  const mac = usableMac(f.mac);
  if (mac !== null) {
    const i = devices.findIndex((d) => usableMac(d.mac) === mac);
    if (i >= 0) return i;
  }
  return devices.findIndex((d) => d.ip === f.ip);
}

const cmpStr = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

function detail(c: Change): string {
  switch (c.kind) {
    case 'port-opened':
    case 'port-closed':
      return `${c.protocol}/${String(c.port).padStart(5, '0')}`;
    case 'finding-new':
    case 'finding-resolved':
      return `${c.finding.checkId}\u0000${c.finding.subject ?? ''}`;
    default:
      return '';
  }
}

function emptySummary(): Record<ChangeKind, number> {
  const out = {} as Record<ChangeKind, number>;
  for (const k of CHANGE_KINDS) out[k] = 0;
  return out;
}

/**
 * Compare two reports, `a` the older. Changes are grouped by device (ordered by the device's IP in the
 * newer scan, gone devices by their last IP), then by kind in `CHANGE_KINDS` order, then port / check.
 * @example diffReports(older, newer).summary['port-opened'] // 1
 */
export function diffReports(a: ScanReport, b: ScanReport, options: DiffOptions = {}): ReportDiff {
  const aToB = matchDevices(a.devices, b.devices);
  const bToA = new Map<number, number>();
  for (const [i, j] of aToB) bToA.set(j, i);

  // One key and one sort position per device, whichever scan(s) it was seen in.
  const keyOfA: DeviceKey[] = [];
  const keyOfB: DeviceKey[] = [];
  const order = new Map<DeviceKey, string>();
  a.devices.forEach((d, i) => {
    const j = aToB.get(i);
    const nb = j === undefined ? undefined : b.devices[j];
    const key = deviceKey({ deviceId: usableDid(nb?.deviceId) ?? d.deviceId, mac: usableMac(nb?.mac) ?? d.mac, ip: nb?.ip ?? d.ip });
    keyOfA[i] = key;
    if (j !== undefined) keyOfB[j] = key;
    order.set(key, ipSortKey(nb?.ip ?? d.ip));
  });
  b.devices.forEach((d, j) => {
    if (keyOfB[j] !== undefined) return;
    const key = deviceKey(d);
    keyOfB[j] = key;
    order.set(key, ipSortKey(d.ip));
  });

  const changes: Change[] = [];
  a.devices.forEach((da, i) => {
    const key = keyOfA[i]!;
    const j = aToB.get(i);
    if (j === undefined) {
      changes.push({ kind: 'device-gone', key, device: da });
      return;
    }
    const db = b.devices[j]!;
    if (da.ip !== db.ip) changes.push({ kind: 'ip-changed', key, from: da.ip, to: db.ip });
    const fa = da.firmware?.version ?? null;
    const fb = db.firmware?.version ?? null;
    // A device that did not say its version this time (no token, timeout) has not been downgraded to "none".
    if (fa !== fb && fb !== null) changes.push({ kind: 'firmware-changed', key, from: fa, to: fb });
    const ta = da.token.state;
    const tb = db.token.state;
    if (!isExposed(ta) && isExposed(tb)) changes.push({ kind: 'token-exposed', key, from: ta, to: tb });
    // `unknown` means no hello reply: that is not evidence the token is hidden now.
    else if (isExposed(ta) && tb === 'hidden') changes.push({ kind: 'token-hidden', key, from: ta, to: tb });
    const portId = (p: { port: number; protocol: string }): string => `${p.protocol}/${p.port}`;
    const pa = new Set(da.openPorts.map(portId));
    const pb = new Set(db.openPorts.map(portId));
    for (const p of db.openPorts) if (!pa.has(portId(p))) changes.push({ kind: 'port-opened', key, port: p.port, protocol: p.protocol });
    for (const p of da.openPorts) if (!pb.has(portId(p))) changes.push({ kind: 'port-closed', key, port: p.port, protocol: p.protocol });
  });
  b.devices.forEach((db, j) => {
    if (!bToA.has(j)) changes.push({ kind: 'device-new', key: keyOfB[j]!, device: db });
  });

  // Findings: identity = device + check + subject. Findings of a gone device are not resolved (see top).
  const findingId = (key: DeviceKey, f: Finding): string => `${key}\u0000${f.checkId}\u0000${f.subject ?? ''}`;
  const goneA = new Set<number>([...a.devices.keys()].filter((i) => !aToB.has(i)));
  const fromA = new Map<string, Finding>();
  for (const f of a.findings) {
    const i = ownerIndex(f, a.devices);
    if (i >= 0 && goneA.has(i)) continue;
    const key = i >= 0 ? keyOfA[i]! : deviceKey({ deviceId: f.deviceId, mac: f.mac ?? null, ip: f.ip });
    fromA.set(findingId(key, f), f);
  }
  const fromB = new Map<string, Finding>();
  for (const f of b.findings) {
    const j = ownerIndex(f, b.devices);
    const key = j >= 0 ? keyOfB[j]! : deviceKey({ deviceId: f.deviceId, mac: f.mac ?? null, ip: f.ip });
    fromB.set(findingId(key, f), f);
    if (!order.has(key)) order.set(key, ipSortKey(f.ip));
  }
  for (const [id, f] of fromB) if (!fromA.has(id)) changes.push({ kind: 'finding-new', key: id.split('\u0000')[0]!, finding: f });
  // A finding the newer scan suppressed (--ignore) is still there: it is not resolved.
  const suppressedB = new Set<string>();
  for (const { finding: f } of b.suppressed ?? []) {
    const j = ownerIndex(f, b.devices);
    suppressedB.add(findingId(j >= 0 ? keyOfB[j]! : deviceKey({ deviceId: f.deviceId, mac: f.mac ?? null, ip: f.ip }), f));
  }
  for (const [id, f] of fromA) {
    if (fromB.has(id) || suppressedB.has(id)) continue;
    const key = id.split('\u0000')[0]!;
    if (!order.has(key)) order.set(key, ipSortKey(f.ip));
    changes.push({ kind: 'finding-resolved', key, finding: f });
  }

  const rank = new Map(CHANGE_KINDS.map((k, n) => [k, n]));
  changes.sort(
    (x, y) =>
      cmpStr(order.get(x.key) ?? '', order.get(y.key) ?? '') ||
      cmpStr(x.key, y.key) ||
      rank.get(x.kind)! - rank.get(y.kind)! ||
      cmpStr(detail(x), detail(y)),
  );
  const summary = emptySummary();
  for (const c of changes) summary[c.kind] += 1;

  const from: ReportDiff['from'] = { startedAt: a.startedAt };
  if (options.fromScanId !== undefined) from.scanId = options.fromScanId;
  const to: ReportDiff['to'] = { startedAt: b.startedAt };
  if (options.toScanId !== undefined) to.scanId = options.toScanId;
  return { from, to, changes, summary };
}

/**
 * Changes that matter at a `--fail-on` threshold: new findings at or above it. (A new device or an
 * exposed token that matters comes with its own new finding, so counting findings is enough.)
 */
export function changesAtOrAbove(diff: ReportDiff, threshold: Severity): Change[] {
  return diff.changes.filter((c) => c.kind === 'finding-new' && severityAtLeast(c.finding.severity, threshold));
}
