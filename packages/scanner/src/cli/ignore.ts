/**
 * Ignore step (issue 5), first after scan(): `--ignore FILE` (YAML or JSON; format in @xmscan/report
 * ignore.ts). The file is read and checked before the scan starts, so a typo costs no scan time.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { applyIgnore, parseIgnoreFile, ReportError, type IgnoreEntry, type ScanReport } from '@xmscan/report';

export interface IgnoreFlags {
  ignore?: string;
}

export interface IgnoreLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export function addIgnoreOptions(cmd: Command): Command {
  return cmd.option('--ignore <file>', 'ignore file (YAML or JSON): findings to suppress by check id and device (id, MAC or IP), with a reason and optional expiry date');
}

/** Read and parse `--ignore` (null without it). `REPORT_ERR_BAD_IGNORE` for an unreadable or bad file. */
export function loadIgnore(flags: IgnoreFlags): IgnoreEntry[] | null {
  if (flags.ignore === undefined) return null;
  let text: string;
  try {
    text = readFileSync(flags.ignore, 'utf8');
  } catch (err) {
    throw new ReportError('REPORT_ERR_BAD_IGNORE', `cannot read ignore file ${flags.ignore}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  return parseIgnoreFile(text, flags.ignore);
}

/** Apply the entries (expired ones become report warnings and a log line); the report is returned unchanged without --ignore. */
export function applyIgnoreStep(report: ScanReport, entries: readonly IgnoreEntry[] | null, logger?: IgnoreLogger, now: Date = new Date()): ScanReport {
  if (entries === null) return report;
  const r = applyIgnore(report, entries, now);
  for (const e of r.expired) logger?.warn({ check: e.check, device: e.device, expires: e.expires }, 'ignore entry expired: it no longer suppresses');
  if (r.suppressed.length > 0) logger?.info({ suppressed: r.suppressed.length }, 'findings suppressed by the ignore file');
  return r.report;
}
