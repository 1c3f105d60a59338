/**
 * Notify step of `xmscan scan` (issue 6): after the history step stored this scan, compare it with the
 * scan before it (diffReports) and, when something notifiable changed, send one message to every
 * `--notify` target. A failed delivery never fails the scan: it is reported on stderr and as a log
 * warning, and turns a would-be 0 exit into 3 (precedence below, the one place it is defined).
 */
import type { Command } from 'commander';
import { diffReports, openHistory, type DeviceSecrets, type ReportDiff, type ScanReport } from '@xmscan/report';
import { notifyChanges, parseNotifyUrl, type NotifyOptions, type NotifyOutcome, type NotifyTarget } from '../notify/index.js';
import { collect, setExitCode } from './common.js';
import { scanExitCode, scanFaultMessages, type ExitCodeFlags } from './exit-code.js';
import { secretValues } from './history.js';

/** Exit status of `scan` when the scan itself succeeded but a notification could not be delivered. */
export const NOTIFY_FAILED_EXIT = 3;

/**
 * Exit precedence of `scan`, highest first: 130/143 (interrupted) > 2 (usage / runtime error, or a
 * network fault under the scan) > 1 (a finding at or above --fail-on) > 3 (scan ok, a notification
 * failed) > 0. A failed webhook must not hide "your network has a critical problem" from a CI gate or
 * a timer, nor a partial scan. `baseCode` is what the scan alone would exit with.
 */
export function scanExitWithNotify(baseCode: number, notifyFailed: boolean): number {
  if (baseCode !== 0) return baseCode;
  return notifyFailed ? NOTIFY_FAILED_EXIT : 0;
}

export const NOTIFY_HELP = `  3  the scan succeeded and nothing is at or above --fail-on, but a --notify delivery failed
     (precedence: 130/143 > 2 > 1 > 3 > 0)

Notifications (--notify URL, repeatable): one message per run with new or changed findings, new
devices, newly exposed tokens or newly opened ports, compared with the previous scan in the history;
none when nothing changed (with --no-history every run counts as a first scan).
  http(s)://host/path                generic JSON webhook: {tool, startedAt, summary, changes[], moreChanges, message}
  http(s)://host/api/webhook/<id>    Home Assistant webhook trigger (same JSON; detected by the path)
  ha+http(s)://host/path             Home Assistant, whatever the path
  webhook+http(s)://host/path        generic JSON webhook, whatever the path
  ntfy://host/topic                  ntfy over https (e.g. ntfy://ntfy.sh/my-topic): text body, Title/Priority/Tags
  ntfy+http(s)://host[:port]/topic   ntfy over the given scheme (self-hosted)
  user:pass@ in the URL becomes Basic auth, :token@ a Bearer token (ntfy access tokens).
  Payloads hold only redacted data; one that looks like it holds a token is not sent. Up to 3 attempts
  per target (waits 0.5 s, 1 s; a Retry-After up to 5 s is honoured), 15 s at most.`;

export interface NotifyFlags {
  notify?: string[];
}

/** `--notify URL` (repeatable, also from the config file / XMSCAN_NOTIFY); URLs are checked before the scan starts. */
export function addNotifyOptions(cmd: Command): Command {
  cmd.option('--notify <url>', 'send one message per run with changes to this URL (repeatable; see "Notifications" below)', collect);
  cmd.addHelpText('after', NOTIFY_HELP);
  // preAction on the command runs after the program's config hook, so file/env values are checked too:
  // a bad URL is a usage error (exit 2) before anything is sent, not a surprise after the scan.
  cmd.hook('preAction', (_cmd, action) => {
    const flags = action.opts<NotifyFlags>();
    for (const u of flags.notify ?? []) parseNotifyUrl(u);
  });
  return cmd;
}

/** Parse the --notify values (already validated by the preAction hook; throws NotifyError otherwise). */
export function notifyTargets(flags: NotifyFlags): NotifyTarget[] {
  return (flags.notify ?? []).map(parseNotifyUrl);
}

interface StepLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NotifyStepInput {
  report: ScanReport;
  secrets?: readonly DeviceSecrets[];
  /**
   * The scan to compare with. Undefined: read it from the history (the scan stored just before
   * `scanId`); null: there is none (first scan, or --no-history).
   */
  previous?: ScanReport | null;
  /** History file and id of this scan as the history step stored it (null: not stored). */
  historyFile?: string | null;
  scanId?: number | null;
}

export interface NotifyStepDeps extends Pick<NotifyOptions, 'send' | 'clock' | 'policy' | 'signal' | 'maxChanges'> {
  logger: StepLogger;
  /** Where the human-readable failure lines go (default process.stderr). */
  stderr?: { write(s: string): unknown };
}

export interface NotifyStepResult {
  /** No --notify, or nothing notifiable changed. */
  skipped: 'no-targets' | 'no-change' | null;
  sent: number;
  failed: number;
  outcome: NotifyOutcome | null;
  diff: ReportDiff | null;
}

/** The previous scan in the history: the newest one stored before `scanId`. */
export function previousFromHistory(file: string, scanId: number): ScanReport | null {
  const store = openHistory(file, { readonly: true });
  try {
    const [a, b] = store.latest(2);
    if (b?.id === scanId) return a?.report ?? null;
    // Another run stored a scan in between: walk the list instead.
    const before = store.listScans().filter((e) => e.id < scanId);
    const prevId = before[before.length - 1]?.id;
    return prevId === undefined ? null : store.getScan(prevId);
  } finally {
    store.close();
  }
}

/** A report with nothing in it, standing for "no previous scan": every device is then new. */
function emptyBaseline(current: ScanReport): ScanReport {
  return {
    ...current,
    startedAt: '',
    finishedAt: '',
    devices: [],
    checks: [],
    findings: [],
    summary: { ...current.summary, devices: 0 },
    incomplete: false,
    warnings: [],
  };
}

export async function runNotifyStep(input: NotifyStepInput, flags: NotifyFlags, deps: NotifyStepDeps): Promise<NotifyStepResult> {
  const targets = notifyTargets(flags);
  const none = (skipped: NotifyStepResult['skipped'], diff: ReportDiff | null = null): NotifyStepResult => ({ skipped, sent: 0, failed: 0, outcome: null, diff });
  if (targets.length === 0) return none('no-targets');
  const stderr = deps.stderr ?? process.stderr;
  const failAll = (code: string, message: string): NotifyStepResult => {
    for (const t of targets) {
      stderr.write(`xmscan: warning: notification to ${t.display} not sent: ${message} [${code}]\n`);
      deps.logger.warn({ target: t.display, code }, 'notification failed');
    }
    return { skipped: null, sent: 0, failed: targets.length, outcome: null, diff: null };
  };

  let previous: ScanReport | null;
  try {
    previous =
      input.previous !== undefined
        ? input.previous
        : input.historyFile && typeof input.scanId === 'number'
          ? previousFromHistory(input.historyFile, input.scanId)
          : null;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return failAll(e.code ?? 'SCAN_ERR_NOTIFY_HISTORY', `could not read the previous scan from the history (${e.message ?? String(err)})`);
  }

  const diffOptions: { fromScanId?: number; toScanId?: number } = {};
  if (typeof input.scanId === 'number') diffOptions.toScanId = input.scanId;
  const diff = diffReports(previous ?? emptyBaseline(input.report), input.report, diffOptions);

  const options: NotifyOptions = { previous, forbidden: secretValues(input.secrets ?? []) };
  for (const k of ['send', 'clock', 'policy', 'signal', 'maxChanges'] as const) if (deps[k] !== undefined) (options as Record<string, unknown>)[k] = deps[k];
  const outcome = await notifyChanges(targets, diff, input.report, options);
  if (outcome.message === null) {
    deps.logger.info({ changes: diff.changes.length, previous: previous?.startedAt ?? null }, 'nothing notifiable changed: no notification');
    return none('no-change', diff);
  }
  let sent = 0;
  let failed = 0;
  for (const r of outcome.results) {
    if (r.ok) {
      sent++;
      deps.logger.info({ target: r.target, attempts: r.attempts, status: r.status }, 'notification sent');
      continue;
    }
    failed++;
    const code = r.error?.code ?? 'SCAN_ERR_NOTIFY_HTTP';
    stderr.write(
      `xmscan: warning: notification to ${r.target} failed after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}: ${r.error?.message ?? 'unknown error'} [${code}]\n`,
    );
    deps.logger.warn({ target: r.target, code, attempts: r.attempts, status: r.status }, 'notification failed');
  }
  return { skipped: null, sent, failed, outcome, diff };
}

/**
 * With the exit-code step: a failed notification turns exit 0 into 3, never a 1, 2 or 130/143 into 3
 * (setExitCode keeps the maximum, so 3 is only set when the scan alone would exit 0; the interrupt
 * codes are larger anyway).
 */
export function applyNotifyExitCode(result: NotifyStepResult, report: ScanReport, flags: ExitCodeFlags): void {
  const base = scanFaultMessages(report).length > 0 ? 2 : scanExitCode(report, flags.failOn ?? 'high');
  const code = scanExitWithNotify(base, result.failed > 0);
  if (code === NOTIFY_FAILED_EXIT) setExitCode(code);
}
