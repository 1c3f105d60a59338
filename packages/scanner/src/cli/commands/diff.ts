/**
 * `xmscan diff [A] [B]`: what changed between two scans (default: the last two in the history). A and B
 * are history scan ids, or paths to report JSON files (`xmscan scan --json > a.json`). Exit codes in
 * exit-code.ts (0 no change, 1 changes, 2 error).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { diffReports, diffWriters, getDiffWriter, openHistory, ReportError, type ScanReport } from '@xmscan/report';
import { addExitCodeOptions, applyDiffExitCode, type ExitCodeFlags } from '../exit-code.js';
import { addHistoryOptions, historyPath, type HistoryFlags } from '../history.js';

export interface DiffFlags extends HistoryFlags, ExitCodeFlags {
  json?: boolean;
  format?: string;
}

export interface DiffSide {
  report: ScanReport;
  scanId?: number;
}

const noScan = (msg: string): ReportError => new ReportError('REPORT_ERR_NO_SCAN', msg);

function readReportFile(file: string): ScanReport {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReportError('REPORT_ERR_BAD_REPORT', `${file}: not a readable JSON report (${(err as Error).message.slice(0, 120)})`);
  }
  const r = doc as Partial<ScanReport> | null;
  if (!r || typeof r !== 'object' || r.schemaVersion !== 1 || !Array.isArray(r.devices) || !Array.isArray(r.findings) || typeof r.startedAt !== 'string') {
    throw new ReportError('REPORT_ERR_BAD_REPORT', `${file}: not an xmscan report (schemaVersion 1)`);
  }
  return r as ScanReport;
}

/** Resolve the two sides: ids from the history, files from disk; defaults are the last two scans (or A vs the last). */
export function loadDiffSides(args: readonly string[], flags: HistoryFlags): [DiffSide, DiffSide] {
  const isId = (s: string): boolean => /^\d{1,15}$/.test(s);
  const needsHistory = args.length < 2 || args.some(isId);
  const path = historyPath(flags);
  let store: ReturnType<typeof openHistory> | null = null;
  if (needsHistory) {
    if (path === null || !existsSync(path)) throw noScan(`no history database${path ? ' at ' + path : ''}; run xmscan scan first (or pass two report files)`);
    store = openHistory(path, { readonly: true });
  }
  try {
    const one = (arg: string): DiffSide => {
      if (isId(arg)) {
        const id = Number(arg);
        const report = store!.getScan(id);
        if (report === null) throw noScan(`no scan ${id} in ${path}`);
        return { report, scanId: id };
      }
      return { report: readReportFile(arg) };
    };
    if (args.length >= 2) return [one(args[0]!), one(args[1]!)];
    const last = store!.latest(2);
    if (args.length === 1) {
      const a = one(args[0]!);
      const b = last[last.length - 1];
      if (b === undefined) throw noScan(`no scans in ${path}`);
      return [a, { report: b.report, scanId: b.id }];
    }
    if (last.length < 2) throw noScan(`need two scans to diff; ${path} has ${last.length}`);
    return [
      { report: last[0]!.report, scanId: last[0]!.id },
      { report: last[1]!.report, scanId: last[1]!.id },
    ];
  } finally {
    store?.close();
  }
}

export function registerDiff(program: Command): void {
  const cmd = program
    .command('diff')
    .description('what changed between two scans: devices new/gone, IP, firmware, token exposure, ports, findings (default: the last two stored scans)')
    .argument('[A]', 'older scan: history id or report JSON file (default: the second-to-last scan)')
    .argument('[B]', 'newer scan: history id or report JSON file (default: the last scan)')
    .option('--json', 'print one JSON document (same as --format json)')
    .addOption(new Option('--format <format>', 'output format').choices(Object.keys(diffWriters)).default('table'));
  addHistoryOptions(cmd, 'read');
  addExitCodeOptions(cmd, 'diff');
  cmd.action(async (a: string | undefined, b: string | undefined, flags: DiffFlags) => {
    const args = [a, b].filter((x): x is string => x !== undefined);
    const [from, to] = loadDiffSides(args, flags);
    const opts: { fromScanId?: number; toScanId?: number } = {};
    if (from.scanId !== undefined) opts.fromScanId = from.scanId;
    if (to.scanId !== undefined) opts.toScanId = to.scanId;
    const diff = diffReports(from.report, to.report, opts);
    await getDiffWriter(flags.json ? 'json' : (flags.format ?? 'table')).write(diff, process.stdout, { from: from.report, to: to.report });
    applyDiffExitCode(diff, flags);
  });
}
