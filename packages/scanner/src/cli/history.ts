/**
 * History step (issue 5): after the outputs, store the redacted report in the history database.
 * Default file: $XDG_DATA_HOME/xmscan/history.sqlite (XDG Base Directory spec: a relative XDG_DATA_HOME is
 * ignored), else ~/.local/share/xmscan/history.sqlite. `--history PATH` picks another file; `--no-history`
 * stores nothing.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Command } from 'commander';
import { openHistory, type DeviceSecrets, type ScanReport } from '@xmscan/report';

export interface HistoryFlags {
  /** undefined = default path, a string = that file, false = --no-history. */
  history?: string | false;
}

export function defaultHistoryPath(env: Readonly<Record<string, string | undefined>> = process.env, home: string = homedir()): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
  return join(base, 'xmscan', 'history.sqlite');
}

/** The history file a command uses, or null with --no-history. */
export function historyPath(flags: HistoryFlags, env?: Readonly<Record<string, string | undefined>>): string | null {
  if (flags.history === false) return null;
  if (typeof flags.history === 'string' && flags.history !== '') return flags.history;
  return defaultHistoryPath(env);
}

/** `--history PATH` (and for scan `--no-history`). */
export function addHistoryOptions(cmd: Command, kind: 'scan' | 'read' = 'scan'): Command {
  cmd.option('--history <path>', `history database (default ${defaultHistoryPath({ XDG_DATA_HOME: '$XDG_DATA_HOME' })}, or ~/.local/share/xmscan/history.sqlite)`);
  if (kind === 'scan') cmd.option('--no-history', 'do not store this scan in the history');
  return cmd;
}

/**
 * Raw secret values of one scan, so the store can refuse a report that still holds one. Not the BSSID:
 * it is often the router's own MAC, which the report rightly shows.
 */
export function secretValues(secrets: readonly DeviceSecrets[] = []): string[] {
  const out: string[] = [];
  for (const s of secrets) for (const v of [s.token, s.routerSerial]) if (typeof v === 'string' && v !== '') out.push(v);
  return out;
}

/** Store the scan; returns its history id, or null with --no-history. */
export function storeHistory(report: ScanReport, flags: HistoryFlags, secrets: readonly DeviceSecrets[] = []): number | null {
  const path = historyPath(flags);
  if (path === null) return null;
  const store = openHistory(path);
  try {
    return store.addScan(report, { secrets: secretValues(secrets) });
  } finally {
    store.close();
  }
}
