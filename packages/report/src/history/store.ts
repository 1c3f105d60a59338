/**
 * Scan history (issue 5): every scan's redacted report in one SQLite file, plus indexed columns (per scan,
 * device and finding) for listing and querying without parsing JSON.
 *
 * - Only the redacted report is stored: tokens appear as fingerprints. `addScan` also refuses a report
 *   that still holds a raw secret the caller knows of (`secrets`) or a 32-hex `token` value.
 * - WAL journal, one IMMEDIATE transaction per scan: a process killed mid-write (SIGKILL, power cut with
 *   synchronous=FULL) leaves every earlier scan intact and the half-written one absent.
 * - The file is 0600 and a directory we create is 0700: the history lists a household's devices.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { deviceKey } from '../diff.js';
import { ReportError } from '../errors.js';
import type { ScanReport } from '../schema.js';
import { SEVERITIES } from '../severity.js';
import type { Severity } from '../severity.js';
import { openSqlite, type SqlDb } from './sqlite.js';

/** Layout version of the database (PRAGMA user_version). */
export const HISTORY_SCHEMA_VERSION = 1;

export interface ScanListEntry {
  id: number;
  startedAt: string;
  finishedAt: string;
  toolVersion: string;
  devices: number;
  findingsBySeverity: Record<Severity, number>;
  suppressed: number;
  incomplete: boolean;
}

export interface StoredScan {
  id: number;
  report: ScanReport;
}

export interface AddScanOptions {
  /** Raw secret values this scan learned (tokens, serials): the stored JSON must contain none of them. */
  secrets?: readonly string[];
}

export interface HistoryStore {
  readonly path: string;
  /** Store one scan in one transaction; returns its id (ids only grow). */
  addScan(report: ScanReport, options?: AddScanOptions): number;
  /** Every scan, oldest first (`limit`: only the newest N, still oldest first). */
  listScans(options?: { limit?: number }): ScanListEntry[];
  getScan(id: number): ScanReport | null;
  /** Up to `n` newest scans, oldest first (so `latest(2)` is [previous, last]). */
  latest(n: number): StoredScan[];
  count(): number;
  /** `PRAGMA integrity_check` result: 'ok' when the file is sound. */
  integrityCheck(): string;
  close(): void;
}

export interface OpenHistoryOptions {
  /** Open without writing anything (no file or directory is created; a missing file is an error). */
  readonly?: boolean;
}

const hErr = (msg: string, cause?: unknown): ReportError =>
  new ReportError('REPORT_ERR_HISTORY', msg, cause === undefined ? undefined : { cause });

const SCHEMA = `
CREATE TABLE IF NOT EXISTS scans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  tool_version TEXT NOT NULL,
  devices INTEGER NOT NULL,
  critical INTEGER NOT NULL,
  high INTEGER NOT NULL,
  medium INTEGER NOT NULL,
  low INTEGER NOT NULL,
  info INTEGER NOT NULL,
  suppressed INTEGER NOT NULL,
  incomplete INTEGER NOT NULL,
  report_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scans_started_at ON scans(started_at);
CREATE TABLE IF NOT EXISTS scan_devices (
  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  device_key TEXT NOT NULL,
  ip TEXT NOT NULL,
  mac TEXT,
  device_id TEXT,
  model TEXT,
  firmware TEXT,
  token_state TEXT NOT NULL,
  token_fingerprint TEXT
);
CREATE INDEX IF NOT EXISTS scan_devices_key ON scan_devices(device_key, scan_id);
CREATE INDEX IF NOT EXISTS scan_devices_scan ON scan_devices(scan_id);
CREATE TABLE IF NOT EXISTS scan_findings (
  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
  device_key TEXT NOT NULL,
  check_id TEXT NOT NULL,
  severity TEXT NOT NULL,
  subject TEXT,
  suppressed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS scan_findings_check ON scan_findings(check_id, scan_id);
CREATE INDEX IF NOT EXISTS scan_findings_scan ON scan_findings(scan_id);
`;

/**
 * A `"token"` holding 32 hex digits, or a token object with a `value` (the --show-secrets field): a raw
 * miIO token slipped past redaction.
 */
const RAW_TOKEN_FIELD = /"token"\s*:\s*(?:"[0-9a-fA-F]{32}"|\{[^{}]*"value"\s*:\s*"[0-9a-fA-F]{32}")/;

function assertNoSecrets(json: string, secrets: readonly string[]): void {
  const lower = json.toLowerCase();
  for (const s of secrets) {
    // Short values (a 2-char SSID) would match by accident and are not worth a refusal.
    if (typeof s === 'string' && s.length >= 8 && lower.includes(s.toLowerCase())) {
      throw new ReportError('REPORT_ERR_SECRET_LEAK', 'refusing to store a report that contains a raw secret (a token or serial); nothing was written');
    }
  }
  if (RAW_TOKEN_FIELD.test(json)) {
    throw new ReportError('REPORT_ERR_SECRET_LEAK', 'refusing to store a report with a raw 32-hex token value; nothing was written');
  }
}

function parseStored(id: number, json: unknown): ScanReport {
  let r: unknown;
  try {
    r = JSON.parse(String(json));
  } catch (err) {
    throw hErr(`scan ${id}: stored report is not valid JSON`, err);
  }
  const o = r as Partial<ScanReport> | null;
  if (!o || typeof o !== 'object' || o.schemaVersion !== 1 || !Array.isArray(o.devices) || !Array.isArray(o.findings)) {
    throw hErr(`scan ${id}: stored report does not have the v1 shape`);
  }
  return o as ScanReport;
}

/** Create the directory chain (0700) and the file (0600) before SQLite opens it with its own mode. */
function prepareFile(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) {
    const first = mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode is filtered by the umask; set it exactly on every directory we created.
    if (first !== undefined) {
      let d = dir;
      const top = resolve(first);
      for (;;) {
        chmodSync(d, 0o700);
        if (resolve(d) === top) break;
        const up = dirname(d);
        if (up === d) break;
        d = up;
      }
    }
  }
  if (!existsSync(path)) closeSync(openSync(path, 'wx', 0o600));
  // SQLite gives the -wal and -shm files the main file's mode, so 0600 here covers them too.
  // Tighten only (drop group/other bits): a file the user made read-only (0400) stays read-only, so the
  // scan fails with a clear error instead of silently writing to it (issue 8).
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, mode & 0o700);
}

/**
 * Open (creating if needed) a history database. Throws `REPORT_ERR_HISTORY` when the file cannot be
 * opened, is not a database, or was written by a newer xmscan.
 */
export function openHistory(path: string, options: OpenHistoryOptions = {}): HistoryStore {
  const readonly = options.readonly ?? false;
  let db: SqlDb;
  try {
    if (!readonly) prepareFile(path);
    else if (!existsSync(path)) throw hErr(`no history database at ${path}`);
    db = openSqlite(path, { readonly, fileMustExist: readonly });
  } catch (err) {
    if (err instanceof ReportError) throw err;
    throw hErr(`cannot open history database ${path}: ${(err as Error).message}`, err);
  }
  try {
    if (!readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
    }
    const version = Number(db.pragma('user_version'));
    if (version > HISTORY_SCHEMA_VERSION) throw hErr(`history database ${path} has layout ${version}; this xmscan reads up to ${HISTORY_SCHEMA_VERSION}`);
    if (!readonly && version < HISTORY_SCHEMA_VERSION) {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION}`);
      });
    }
    if (readonly && version === 0) {
      // A file no xmscan has written to yet (or not ours): reads see no scans.
      const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'scans'").get();
      if (has === undefined) return emptyReadonly(path, db);
    }
  } catch (err) {
    db.close();
    if (err instanceof ReportError) throw err;
    throw hErr(`cannot use history database ${path}: ${(err as Error).message}`, err);
  }
  return makeStore(path, db);
}

function emptyReadonly(path: string, db: SqlDb): HistoryStore {
  return {
    path,
    addScan: () => {
      throw hErr('history opened read-only');
    },
    listScans: () => [],
    getScan: () => null,
    latest: () => [],
    count: () => 0,
    integrityCheck: () => String(db.pragma('integrity_check')),
    close: () => db.close(),
  };
}

interface ScanRow {
  id: number;
  started_at: string;
  finished_at: string;
  tool_version: string;
  devices: number;
  critical: number;
  high: number;
  medium: number;
  low: number;
  info: number;
  suppressed: number;
  incomplete: number;
}

function toEntry(r: ScanRow): ScanListEntry {
  const findingsBySeverity = {} as Record<Severity, number>;
  for (const s of SEVERITIES) findingsBySeverity[s] = Number(r[s]);
  return {
    id: Number(r.id),
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    toolVersion: r.tool_version,
    devices: Number(r.devices),
    findingsBySeverity,
    suppressed: Number(r.suppressed),
    incomplete: Number(r.incomplete) !== 0,
  };
}

function makeStore(path: string, db: SqlDb): HistoryStore {
  const wrap = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ReportError) throw err;
      throw hErr(`history ${what} failed (${path}): ${(err as Error).message}`, err);
    }
  };
  const cols = 'id, started_at, finished_at, tool_version, devices, critical, high, medium, low, info, suppressed, incomplete';
  return {
    path,
    addScan(report, options = {}) {
      if (!report || typeof report !== 'object' || !Array.isArray(report.devices) || !Array.isArray(report.findings)) {
        throw new ReportError('REPORT_ERR_BAD_REPORT', 'addScan needs a ScanReport');
      }
      const json = JSON.stringify(report);
      assertNoSecrets(json, options.secrets ?? []);
      return wrap('write', () =>
        db.transaction(() => {
          const bySev = report.summary?.findingsBySeverity;
          const count = (s: Severity): number => bySev?.[s] ?? report.findings.filter((f) => f.severity === s).length;
          const res = db
            .prepare(
              'INSERT INTO scans (started_at, finished_at, tool_version, devices, critical, high, medium, low, info, suppressed, incomplete, report_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            )
            .run(
              report.startedAt,
              report.finishedAt,
              report.tool?.version ?? '',
              report.devices.length,
              count('critical'),
              count('high'),
              count('medium'),
              count('low'),
              count('info'),
              report.suppressed?.length ?? 0,
              report.incomplete === true ? 1 : 0,
              json,
            );
          const id = Number(res.lastInsertRowid);
          const dev = db.prepare(
            'INSERT INTO scan_devices (scan_id, device_key, ip, mac, device_id, model, firmware, token_state, token_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          );
          for (const d of report.devices) {
            dev.run(id, deviceKey(d), d.ip, d.mac, d.deviceId, d.model, d.firmware?.version ?? null, d.token.state, d.token.fingerprint);
          }
          const fin = db.prepare('INSERT INTO scan_findings (scan_id, device_key, check_id, severity, subject, suppressed) VALUES (?, ?, ?, ?, ?, ?)');
          const keyOf = (f: ScanReport['findings'][number]): string => {
            const d = report.devices.find((x) => (f.deviceId !== null && f.deviceId !== '0' && x.deviceId === f.deviceId) || x.ip === f.ip);
            return deviceKey(d ?? { deviceId: f.deviceId, mac: f.mac ?? null, ip: f.ip });
          };
          for (const f of report.findings) fin.run(id, keyOf(f), f.checkId, f.severity, f.subject ?? null, 0);
          for (const s of report.suppressed ?? []) fin.run(id, keyOf(s.finding), s.finding.checkId, s.finding.severity, s.finding.subject ?? null, 1);
          return id;
        }),
      );
    },
    listScans(options = {}) {
      return wrap('read', () => {
        const limit = options.limit;
        const rows = (
          limit !== undefined
            ? db.prepare(`SELECT ${cols} FROM (SELECT ${cols} FROM scans ORDER BY id DESC LIMIT ?) ORDER BY id`).all(Math.max(0, Math.floor(limit)))
            : db.prepare(`SELECT ${cols} FROM scans ORDER BY id`).all()
        ) as ScanRow[];
        return rows.map(toEntry);
      });
    },
    getScan(id) {
      if (!Number.isSafeInteger(id)) return null;
      return wrap('read', () => {
        const row = db.prepare('SELECT report_json FROM scans WHERE id = ?').get(id) as { report_json: string } | undefined;
        return row === undefined ? null : parseStored(id, row.report_json);
      });
    },
    latest(n) {
      return wrap('read', () => {
        const rows = db.prepare('SELECT id, report_json FROM scans ORDER BY id DESC LIMIT ?').all(Math.max(0, Math.floor(n))) as { id: number; report_json: string }[];
        return rows.reverse().map((r) => ({ id: Number(r.id), report: parseStored(Number(r.id), r.report_json) }));
      });
    },
    count() {
      return wrap('read', () => Number((db.prepare('SELECT COUNT(*) AS n FROM scans').get() as { n: number }).n));
    },
    integrityCheck() {
      return wrap('integrity check', () => String(db.pragma('integrity_check')));
    },
    close() {
      db.close();
    },
  };
}
