/**
 * Scan/diff output step: which writers run and where their bytes go (`--format`, `--output`, `--json`).
 * Owned by the reports work (issue 5): writers live in @xmscan/report; choosing stdout or a file is here.
 */
import type { Command } from 'commander';
import { getWriter, type ScanReport } from '@xmscan/report';

export interface OutputFlags {
  json?: boolean;
}

export function addOutputOptions(cmd: Command): Command {
  return cmd.option('--json', 'print exactly one JSON document (the report schema) on stdout');
}

export async function writeOutputs(report: ScanReport, flags: OutputFlags): Promise<void> {
  await getWriter(flags.json ? 'json' : 'table').write(report, process.stdout);
}
