import { ReportError } from './errors.js';
import { CHECK_STATUSES, REPORT_SCHEMA_VERSION } from './schema.js';
import type {
  CheckRun,
  CheckStatus,
  DeviceReport,
  Finding,
  ReportSummary,
  ReportWarning,
  ScanOptionsSummary,
  ScanReport,
} from './schema.js';
import { SEVERITIES, compareSeverity, parseSeverity } from './severity.js';
import type { Severity } from './severity.js';

/** Time source, injected so reports are reproducible (style.md §7 item 7). */
export interface ReportClock {
  now(): Date | number | string;
}

/** Everything a scan collected; `buildReport` orders, dedupes and summarises it. */
export interface ReportParts {
  tool: { name: string; version: string };
  startedAt: Date | number | string;
  /** Defaults to `clock.now()`. */
  finishedAt?: Date | number | string;
  options?: ScanOptionsSummary;
  devices: readonly DeviceReport[];
  checks: readonly CheckRun[];
  findings: readonly Finding[];
  incomplete?: boolean;
  warnings?: readonly ReportWarning[];
}

function toIso(value: Date | number | string, what: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new ReportError('REPORT_ERR_BAD_CLOCK', `${what} is not a valid time`);
  }
  return d.toISOString();
}

/**
 * Sort key for an IPv4 address so 10.0.0.9 sorts before 10.0.0.10. Anything else (IPv6, junk)
 * sorts after all IPv4 addresses, by its text.
 */
export function ipSortKey(ip: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (m) return '0' + m.slice(1, 5).map((o) => o.padStart(3, '0')).join('.');
  return '1' + ip;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Identity used to merge duplicates: the device id when known, else the MAC, else the IP. */
function deviceKey(d: { deviceId: string | null; ip: string; mac?: string | null | undefined }): string {
  if (d.deviceId !== null && d.deviceId !== '') return 'did:' + d.deviceId;
  return 'ip:' + d.ip;
}

// When one check ran twice on a device (retries, two discovery paths), keep the most telling result.
const STATUS_PRIORITY: Readonly<Record<CheckStatus, number>> = { fail: 3, error: 2, pass: 1, skipped: 0 };

function assertStatus(run: CheckRun): void {
  if (!CHECK_STATUSES.includes(run.status)) {
    throw new ReportError('REPORT_ERR_BAD_STATUS', `check ${run.checkId}: unknown status`);
  }
}

function emptyCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = 0;
  return out;
}

/** Counts for the report header; recomputed from the lists so it can never disagree with them. */
export function summarise(devices: readonly DeviceReport[], checks: readonly CheckRun[], findings: readonly Finding[]): ReportSummary {
  const findingsBySeverity = emptyCounts(SEVERITIES);
  for (const f of findings) findingsBySeverity[f.severity] += 1;
  const checksByStatus = emptyCounts(CHECK_STATUSES);
  for (const c of checks) checksByStatus[c.status] += 1;
  return { devices: devices.length, findingsBySeverity, checksByStatus };
}

/**
 * Assemble a `ScanReport` from the scan's parts. Pure apart from `clock.now()` (used only when
 * `finishedAt` is not given): the same parts and clock give the same report, byte for byte.
 *
 * - Devices are sorted by IP (numerically), then device id; duplicates (same device id, or same IP
 *   when the id is unknown) keep the first occurrence.
 * - Check runs are sorted by device IP, then check id; a duplicate (check, device) keeps the most
 *   telling status (fail > error > pass > skipped).
 * - Findings are sorted critical first, then by IP, check id and subject; a duplicate
 *   (check, device, subject) keeps the most severe.
 * - Severities are validated (`REPORT_ERR_BAD_SEVERITY`); statuses too (`REPORT_ERR_BAD_STATUS`).
 *
 * @example
 *   const report = buildReport({ tool, startedAt, devices, checks, findings }, { now: () => new Date() });
 */
export function buildReport(parts: ReportParts, clock: ReportClock): ScanReport {
  // A boolean helper: Array.isArray would narrow the readonly arrays to any[].
  const isList = (v: unknown): boolean => Array.isArray(v);
  if (parts === null || typeof parts !== 'object' || !isList(parts.devices) || !isList(parts.checks) || !isList(parts.findings)) {
    throw new ReportError('REPORT_ERR_BAD_REPORT', 'report parts need devices, checks and findings arrays');
  }
  const startedAt = toIso(parts.startedAt, 'startedAt');
  const finishedAt = toIso(parts.finishedAt ?? clock.now(), 'finishedAt');

  const devices: DeviceReport[] = [];
  const seenDevices = new Set<string>();
  for (const d of parts.devices) {
    const key = deviceKey(d);
    if (seenDevices.has(key)) continue;
    seenDevices.add(key);
    devices.push(d);
  }
  devices.sort((a, b) => cmpStr(ipSortKey(a.ip), ipSortKey(b.ip)) || cmpStr(a.deviceId ?? '', b.deviceId ?? ''));

  const runs = new Map<string, CheckRun>();
  for (const run of parts.checks) {
    assertStatus(run);
    const key = run.checkId + '\u0000' + deviceKey(run);
    const prev = runs.get(key);
    if (prev === undefined || STATUS_PRIORITY[run.status] > STATUS_PRIORITY[prev.status]) runs.set(key, run);
  }
  const checks = [...runs.values()].sort(
    (a, b) => cmpStr(ipSortKey(a.ip), ipSortKey(b.ip)) || cmpStr(a.deviceId ?? '', b.deviceId ?? '') || cmpStr(a.checkId, b.checkId),
  );

  const found = new Map<string, Finding>();
  for (const f of parts.findings) {
    const severity: Severity = parseSeverity(f.severity);
    const finding: Finding = severity === f.severity ? f : { ...f, severity };
    const key = [finding.checkId, deviceKey(finding), finding.subject ?? ''].join('\u0000');
    const prev = found.get(key);
    if (prev === undefined || compareSeverity(finding.severity, prev.severity) > 0) found.set(key, finding);
  }
  const findings = [...found.values()].sort(
    (a, b) =>
      compareSeverity(b.severity, a.severity) ||
      cmpStr(ipSortKey(a.ip), ipSortKey(b.ip)) ||
      cmpStr(a.checkId, b.checkId) ||
      cmpStr(a.subject ?? '', b.subject ?? ''),
  );

  const report: ScanReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: parts.tool.name, version: parts.tool.version },
    startedAt,
    finishedAt,
    options: parts.options ?? {},
    devices,
    checks,
    findings,
    summary: summarise(devices, checks, findings),
  };
  if (parts.incomplete === true) report.incomplete = true;
  if (parts.warnings !== undefined && parts.warnings.length > 0) report.warnings = [...parts.warnings];
  return report;
}
