/**
 * Exit-code step (issue 5), the last step of `scan` and `diff`:
 *   scan: 0 = no finding at or above --fail-on (default high; `none` disables), 1 = such findings, 2 = usage or runtime error
 *   diff: 0 = no change, 1 = changes (with --fail-on: only new findings at or above it count), 2 = usage or runtime error
 * Suppressed findings (--ignore) are not in `report.findings`, so they never count.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { changesAtOrAbove, isSeverity, severityAtLeast, SEVERITIES, type ReportDiff, type ScanReport, type Severity } from '@xmscan/report';
import { setExitCode } from './common.js';

export type FailOn = Severity | 'none';

export interface ExitCodeFlags {
  failOn?: FailOn;
}

export function parseFailOn(value: string): FailOn {
  const v = value.trim().toLowerCase();
  if (v === 'none' || isSeverity(v)) return v;
  throw new InvalidArgumentError(`expected one of ${[...SEVERITIES, 'none'].join(', ')}`);
}

export const SCAN_EXIT_HELP = `
Exit codes:
  0  no finding at or above --fail-on (suppressed findings never count)
  1  at least one finding at or above --fail-on
  2  usage or runtime error; also after a partial report when the network failed under the scan
     (sends refused, an interface went away: the report says incomplete)
  130/143  interrupted by SIGINT/SIGTERM: the partial report (incomplete) was still written and stored`;

export const DIFF_EXIT_HELP = `
Exit codes:
  0  no change between the two scans
  1  changes (with --fail-on: only when a new finding is at or above it)
  2  usage or runtime error (e.g. fewer than two scans in the history)`;

/** `--fail-on` and the exit-code help. `scan` defaults to high; `diff` has no default (any change fails). */
export function addExitCodeOptions(cmd: Command, kind: 'scan' | 'diff'): Command {
  if (kind === 'scan') {
    cmd.option('--fail-on <severity>', `exit 1 when a finding is at or above this severity (${SEVERITIES.join(', ')}, none)`, parseFailOn, 'high' as FailOn);
  } else {
    cmd.option('--fail-on <severity>', `exit 1 only when a new finding is at or above this severity (${SEVERITIES.join(', ')}, none)`, parseFailOn);
  }
  return cmd.addHelpText('after', kind === 'scan' ? SCAN_EXIT_HELP : DIFF_EXIT_HELP);
}

export function scanExitCode(report: ScanReport, failOn: FailOn = 'high'): 0 | 1 {
  if (failOn === 'none') return 0;
  return report.findings.some((f) => severityAtLeast(f.severity, failOn)) ? 1 : 0;
}

export function diffExitCode(diff: ReportDiff, failOn?: FailOn): 0 | 1 {
  if (failOn === 'none') return 0;
  if (failOn === undefined) return diff.changes.length > 0 ? 1 : 0;
  return changesAtOrAbove(diff, failOn).length > 0 ? 1 : 0;
}

/** The scan pipeline's last step. */
export function applyScanExitCode(report: ScanReport, flags: ExitCodeFlags): void {
  setExitCode(scanExitCode(report, flags.failOn ?? 'high'));
}

/**
 * Faults that leave a partial report (issue 8): interrupted by a signal → 128 + signal number (130 SIGINT,
 * 143 SIGTERM), after the partial report was written and stored; the network failed under the run (sends
 * refused, interface gone) → 2. Each cause gets one line on stderr. Beats 1: "findings" must not hide
 * "this run did not finish".
 */
export function applyFaultExitCode(networkFaults: readonly string[], interruptedBy: NodeJS.Signals | null, stderr: NodeJS.WritableStream = process.stderr): void {
  for (const m of networkFaults) stderr.write(`xmscan: ${m} (the result is partial)\n`);
  if (networkFaults.length > 0) setExitCode(2);
  if (interruptedBy !== null) {
    stderr.write(`xmscan: interrupted by ${interruptedBy}: the result is partial (marked incomplete)\n`);
    setExitCode(interruptedBy === 'SIGTERM' ? 143 : 130);
  }
}

/** `scan`: the fault causes as they were recorded in the report's warnings. */
export function scanFaultMessages(report: ScanReport): string[] {
  return (report.warnings ?? []).filter((w) => w.code === 'SCAN_WARN_SEND_FAILED' || w.code === 'SCAN_WARN_INTERFACE_LOST').map((w) => w.message);
}

export function applyDiffExitCode(diff: ReportDiff, flags: ExitCodeFlags): void {
  setExitCode(diffExitCode(diff, flags.failOn));
}
