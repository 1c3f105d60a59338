/**
 * `xmscan history`: list the stored scans (id, time, devices, findings by severity). Reads only; a missing
 * history file lists nothing.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openHistory, SEVERITIES, type ScanListEntry } from '@xmscan/report';
import { intOption } from '../common.js';
import { addHistoryOptions, historyPath, type HistoryFlags } from '../history.js';

export interface HistoryCommandFlags extends HistoryFlags {
  json?: boolean;
  limit?: number;
}

export function listHistory(flags: HistoryCommandFlags): { path: string; scans: ScanListEntry[] } {
  const path = historyPath(flags) ?? '';
  if (path === '' || !existsSync(path)) return { path, scans: [] };
  const store = openHistory(path, { readonly: true });
  try {
    return { path, scans: store.listScans(flags.limit !== undefined ? { limit: flags.limit } : {}) };
  } finally {
    store.close();
  }
}

/** Fixed-width text: one line per scan, oldest first. */
export function renderHistoryTable(scans: readonly ScanListEntry[], path: string): string {
  if (scans.length === 0) return `no scans stored in ${path}\n`;
  const sevs = [...SEVERITIES].reverse();
  const head = ['ID'.padStart(5), 'STARTED (UTC)'.padEnd(24), 'DEVICES'.padStart(7), ...sevs.map((s) => s.toUpperCase().padStart(s.length > 4 ? s.length : 4)), 'SUPPR'.padStart(5)];
  const lines = [head.join('  ')];
  for (const s of scans) {
    lines.push(
      [
        String(s.id).padStart(5),
        (s.startedAt + (s.incomplete ? '*' : '')).padEnd(24),
        String(s.devices).padStart(7),
        ...sevs.map((v) => String(s.findingsBySeverity[v]).padStart(v.length > 4 ? v.length : 4)),
        String(s.suppressed).padStart(5),
      ].join('  '),
    );
  }
  if (scans.some((s) => s.incomplete)) lines.push('* incomplete scan (interrupted or hit its deadline)');
  return lines.join('\n') + '\n';
}

export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .description('list the scans stored in the history database (id, time, devices, findings by severity)')
    .option('--json', 'print one JSON document: { path, scans: [...] }')
    .option('--limit <n>', 'only the newest N scans', intOption('--limit', 1, 1_000_000));
  addHistoryOptions(cmd, 'read');
  cmd.action((flags: HistoryCommandFlags) => {
    const { path, scans } = listHistory(flags);
    process.stdout.write(flags.json ? JSON.stringify({ path, scans }, null, 2) + '\n' : renderHistoryTable(scans, path));
  });
}
