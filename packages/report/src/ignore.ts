/**
 * Ignore files (`--ignore FILE`, issue 5): the user accepts a finding on a device, says why, and may set an
 * expiry date. Suppressed findings move to `report.suppressed` (still listed, with the reason) and no
 * longer count in the summary or for `--fail-on`. Expired entries stop suppressing and become warnings.
 *
 * File format (YAML, or JSON since YAML 1.2 reads JSON):
 *
 *   ignore:                         # or a top-level list
 *     - check: telnet-open          # check id (required; `*` = every check)
 *       device: 04:CF:8C:12:34:56   # device id, MAC or IP (optional: every device)
 *       reason: lab box, offline    # required: a suppression must say why
 *       expires: 2027-01-31         # optional: YYYY-MM-DD (valid through that UTC day) or ISO date-time
 *
 * Parsing is pure; reading the file is the CLI's job.
 */
import { createRequire } from 'node:module';
import { summarise } from './build.js';
import { normalizeMac } from './diff.js';
import { ReportError } from './errors.js';
import type { DeviceReport, Finding, ReportWarning, ScanReport, SuppressedFinding } from './schema.js';

// yaml loads only when an ignore file is parsed: every `xmscan` start imports this module through the
// barrel, and yaml's import costs ~40 ms (~110 ms on a loaded machine) (issue 7, docs/benchmarks.md).
const requireLazy = createRequire(import.meta.url);
type YamlOptions = import('yaml').ParseOptions & import('yaml').DocumentOptions & import('yaml').SchemaOptions & import('yaml').ToJSOptions;
const parseYaml = (text: string, options: YamlOptions): unknown => (requireLazy('yaml') as typeof import('yaml')).parse(text, options);

export interface IgnoreEntry {
  check: string;
  /** Device id, MAC or IP; null = any device. */
  device: string | null;
  reason: string;
  /** As written (normalised to ISO); null = never expires. */
  expires: string | null;
  /** First instant the entry no longer applies (ms since epoch); null = never. */
  expiresAtMs: number | null;
}

export interface IgnoreResult {
  report: ScanReport;
  suppressed: SuppressedFinding[];
  /** Entries past their expiry date (they suppressed nothing). */
  expired: IgnoreEntry[];
  /** Entries that matched no finding (stale, or a typo). */
  unused: IgnoreEntry[];
}

/** Keep files small and entries sane: a hostile or mistaken file fails fast with a clear message. */
const MAX_FILE_CHARS = 1 << 20;
const MAX_ENTRIES = 10_000;
const MAX_FIELD = 500;

const bad = (msg: string): ReportError => new ReportError('REPORT_ERR_BAD_IGNORE', msg);

function field(obj: Record<string, unknown>, names: readonly string[], where: string, required: boolean): string | null {
  for (const n of names) {
    const v = obj[n];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v); // a bare device id in YAML is a number
    if (typeof v !== 'string') throw bad(`${where}: "${n}" must be a string`);
    const t = v.trim();
    if (t === '') break;
    if (t.length > MAX_FIELD) throw bad(`${where}: "${n}" is longer than ${MAX_FIELD} characters`);
    return t;
  }
  if (required) throw bad(`${where}: "${names[0]}" is required`);
  return null;
}

/** `2027-01-31` → valid through that UTC day; a date-time → valid until that instant. */
function parseExpiry(value: unknown, where: string): { iso: string; ms: number } | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw bad(`${where}: "expires" is not a valid date`);
    return { iso: value.toISOString(), ms: value.getTime() };
  }
  if (typeof value !== 'string') throw bad(`${where}: "expires" must be a date like 2027-01-31`);
  const t = value.trim();
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (day) {
    const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    const check = new Date(start);
    if (check.getUTCFullYear() !== Number(day[1]) || check.getUTCMonth() !== Number(day[2]) - 1 || check.getUTCDate() !== Number(day[3])) {
      throw bad(`${where}: "expires" ${JSON.stringify(t)} is not a calendar date`);
    }
    return { iso: t, ms: start + 86_400_000 };
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return { iso: new Date(ms).toISOString(), ms };
  }
  throw bad(`${where}: "expires" ${JSON.stringify(t.slice(0, 40))} is not a date like 2027-01-31`);
}

/**
 * Parse an ignore file's text (YAML or JSON). Throws `REPORT_ERR_BAD_IGNORE` naming the entry at fault.
 * @example parseIgnoreFile('- {check: telnet-open, device: 10.0.0.5, reason: lab}')
 */
export function parseIgnoreFile(text: string, source = 'ignore file'): IgnoreEntry[] {
  if (typeof text !== 'string') throw bad(`${source}: not text`);
  if (text.length > MAX_FILE_CHARS) throw bad(`${source}: larger than ${MAX_FILE_CHARS} characters`);
  let doc: unknown;
  try {
    // maxAliasCount bounds "billion laughs" alias expansion.
    doc = parseYaml(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (err) {
    throw bad(`${source}: not valid YAML/JSON (${(err as Error).message.split('\n')[0]?.slice(0, 200)})`);
  }
  if (doc === null || doc === undefined) return [];
  let list: unknown = doc;
  if (!Array.isArray(doc)) {
    if (typeof doc !== 'object') throw bad(`${source}: expected a list of entries or { ignore: [...] }`);
    list = (doc as Record<string, unknown>)['ignore'] ?? [];
  }
  if (!Array.isArray(list)) throw bad(`${source}: "ignore" must be a list`);
  if (list.length > MAX_ENTRIES) throw bad(`${source}: more than ${MAX_ENTRIES} entries`);
  return list.map((raw, n) => {
    const where = `${source} entry ${n + 1}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(`${where}: must be a mapping`);
    const obj = raw as Record<string, unknown>;
    const check = field(obj, ['check', 'checkId'], where, true)!;
    const device = field(obj, ['device', 'deviceId', 'mac', 'ip'], where, false);
    const reason = field(obj, ['reason'], where, true)!;
    const exp = parseExpiry(obj['expires'] ?? obj['expiry'], where);
    return { check, device, reason, expires: exp?.iso ?? null, expiresAtMs: exp?.ms ?? null };
  });
}

/** Does the entry's device name this finding's device (device id, MAC in any notation, or IP)? */
function deviceMatches(entry: IgnoreEntry, f: Finding, device: DeviceReport | undefined): boolean {
  if (entry.device === null) return true;
  const want = entry.device;
  const ids = [f.deviceId, device?.deviceId].filter((x): x is string => typeof x === 'string' && x !== '');
  if (ids.includes(want)) return true;
  if (f.ip === want || device?.ip === want) return true;
  const macs = [f.mac, device?.mac].filter((x): x is string => typeof x === 'string' && x !== '').map(normalizeMac);
  return macs.includes(normalizeMac(want));
}

function ownerOf(f: Finding, devices: readonly DeviceReport[]): DeviceReport | undefined {
  if (f.deviceId !== null && f.deviceId !== '' && f.deviceId !== '0') {
    const d = devices.find((x) => x.deviceId === f.deviceId);
    if (d) return d;
  }
  return devices.find((x) => x.ip === f.ip);
}

function describeEntry(e: IgnoreEntry): string {
  return `${e.check}${e.device !== null ? ' on ' + e.device : ''}`;
}

/**
 * Apply ignore entries to a report at time `now`. Returns a new report: matched findings moved to
 * `suppressed` (appended after any already there), summary recomputed, one `REPORT_WARN_IGNORE_EXPIRED`
 * warning per expired entry. Pure.
 */
export function applyIgnore(report: ScanReport, entries: readonly IgnoreEntry[], now: Date | number): IgnoreResult {
  const nowMs = now instanceof Date ? now.getTime() : now;
  const active: IgnoreEntry[] = [];
  const expired: IgnoreEntry[] = [];
  for (const e of entries) (e.expiresAtMs !== null && nowMs >= e.expiresAtMs ? expired : active).push(e);
  const used = new Set<IgnoreEntry>();
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of report.findings) {
    const device = ownerOf(f, report.devices);
    const hit = active.find((e) => (e.check === '*' || e.check === f.checkId) && deviceMatches(e, f, device));
    if (hit === undefined) {
      kept.push(f);
      continue;
    }
    used.add(hit);
    const s: SuppressedFinding = { finding: f, reason: hit.reason };
    if (hit.expires !== null) s.expires = hit.expires;
    suppressed.push(s);
  }
  const warnings: ReportWarning[] = [...(report.warnings ?? [])];
  for (const e of expired) {
    warnings.push({
      code: 'REPORT_WARN_IGNORE_EXPIRED',
      message: `ignore entry for ${describeEntry(e)} expired on ${e.expires ?? '?'}; it no longer suppresses (reason was: ${e.reason})`,
    });
  }
  if (suppressed.length === 0 && expired.length === 0) {
    return { report, suppressed, expired, unused: active.filter((e) => !used.has(e)) };
  }
  const out: ScanReport = {
    ...report,
    findings: kept,
    summary: summarise(report.devices, report.checks, kept),
  };
  if (warnings.length > 0) out.warnings = warnings;
  const allSuppressed = [...(report.suppressed ?? []), ...suppressed];
  if (allSuppressed.length > 0) out.suppressed = allSuppressed;
  return { report: out, suppressed, expired, unused: active.filter((e) => !used.has(e)) };
}
