import type { ScanReport } from '../schema.js';
import type { ReportWriter } from './types.js';
import { writeChunk } from './types.js';

/**
 * The report as it goes to JSON: `schemaVersion` first and top-level keys in a fixed order, so two
 * reports of the same scan diff cleanly. Optional keys are omitted when absent.
 */
export function toJsonObject(report: ScanReport): Record<string, unknown> {
  const out: Record<string, unknown> = {
    schemaVersion: report.schemaVersion,
    tool: report.tool,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    options: report.options,
    summary: report.summary,
  };
  if (report.incomplete !== undefined) out['incomplete'] = report.incomplete;
  if (report.secretsShown !== undefined) out['secretsShown'] = report.secretsShown;
  if (report.warnings !== undefined) out['warnings'] = report.warnings;
  out['devices'] = report.devices;
  out['checks'] = report.checks;
  out['findings'] = report.findings;
  if (report.suppressed !== undefined) out['suppressed'] = report.suppressed; // --ignore (issue 5)
  return out;
}

/** Pretty JSON with a trailing newline. Device strings are left as received (JSON escapes controls). */
export function renderJson(report: ScanReport): string {
  return JSON.stringify(toJsonObject(report), null, 2) + '\n';
}

export const jsonWriter: ReportWriter = {
  write: (report, out) => writeChunk(out, renderJson(report)),
};
