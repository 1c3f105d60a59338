import type { Writable } from 'node:stream';
import { sanitizeForTerminal } from '../sanitize.js';
import type { CheckRun, DeviceReport, Finding, ScanReport } from '../schema.js';
import { SEVERITIES } from '../severity.js';
import type { Severity } from '../severity.js';
import type { ReportWriter } from './types.js';
import { writeChunk } from './types.js';

export interface TableWriterOptions {
  /** Force colours on or off. Default: on only for a TTY, and never when NO_COLOR is set (no-color.org) or TERM=dumb. */
  color?: boolean;
  /** Line width in columns. Default: the stream's `columns`; a TTY without them 100; not a TTY, no cut. Lines are cut, never wrapped. */
  width?: number;
  /** Environment to read NO_COLOR / TERM from. Default: `process.env` at write time. */
  env?: Readonly<Record<string, string | undefined>>;
}

const SGR: Readonly<Record<Severity, string>> = {
  critical: '\u001b[1;97;41m', // bold white on red
  high: '\u001b[1;31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  info: '\u001b[2m',
};
const RESET = '\u001b[0m';
const BOLD = '\u001b[1m';

const LABEL_WIDTH = 10; // 'CRITICAL' + 2

/** Device strings are untrusted: strip controls, cap length (sanitize.ts). */
const clean = (s: unknown, max = 80): string => sanitizeForTerminal(s, { maxLength: max });

function cut(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + '…' : text;
}

function wantsColor(out: Writable, options: TableWriterOptions): boolean {
  if (options.color !== undefined) return options.color;
  const env = options.env ?? process.env;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return (out as Writable & { isTTY?: boolean }).isTTY === true;
}

/** Not a terminal (a cron mail, a file): nothing to fit, so findings and fixes are kept whole. */
const NON_TTY_WIDTH = 1000;

function lineWidth(out: Writable, options: TableWriterOptions): number {
  const stream = out as Writable & { columns?: number; isTTY?: boolean };
  const w = options.width ?? stream.columns ?? (stream.isTTY === true ? 100 : NON_TTY_WIDTH);
  return Math.max(40, Math.floor(Number.isFinite(w) ? w : 100));
}

function deviceHeading(d: DeviceReport): string {
  const parts = [clean(d.ip, 45), d.model !== null ? clean(d.model, 60) : 'unknown model'];
  if (d.deviceId !== null) parts.push('did ' + clean(d.deviceId, 24));
  if (d.mac !== null) parts.push(clean(d.mac, 24));
  const name = d.names[0];
  if (name !== undefined) parts.push('"' + clean(name, 60) + '"');
  return parts.join('  ');
}

function deviceFacts(d: DeviceReport, secretsShown: boolean): string {
  const facts: string[] = [];
  if (d.firmware?.version) facts.push('fw ' + clean(d.firmware.version, 40));
  facts.push('token ' + d.token.state + (d.token.supplied ? (d.token.valid === false ? ' (supplied: rejected)' : d.token.valid ? ' (supplied: ok)' : ' (supplied)') : ''));
  if (secretsShown && d.token.value !== undefined) facts.push('token ' + clean(d.token.value, 40));
  const wifi = d.extras?.['wifi'];
  if (secretsShown && typeof wifi === 'object' && wifi !== null && !Array.isArray(wifi)) {
    const ssid = (wifi as Readonly<Record<string, unknown>>)['ssid'];
    if (typeof ssid === 'string') facts.push('wifi "' + clean(ssid, 64) + '"');
  }
  if (d.openPorts.length > 0) {
    const ports = d.openPorts.map((p) => `${p.port}/${p.protocol}${p.service ? ' ' + clean(p.service, 20) : ''}`);
    facts.push('open ' + ports.join(', '));
  }
  return facts.join(' · ');
}

/**
 * Plain-text table: a severity summary, then one block per device (findings first, then what could
 * not be tested). Deterministic for a given report and options.
 */
export function renderTable(report: ScanReport, options: { color: boolean; width: number }): string {
  const { color, width } = options;
  const lines: string[] = [];
  const paint = (code: string, text: string): string => (color ? code + text + RESET : text);
  const label = (s: Severity): string => paint(SGR[s], s.toUpperCase().padEnd(LABEL_WIDTH - 2)) + '  ';

  const head = [
    `${clean(report.tool.name, 30)} ${clean(report.tool.version, 30)}`,
    `${report.startedAt} → ${report.finishedAt}`,
    `${report.summary.devices} device${report.summary.devices === 1 ? '' : 's'}`,
  ];
  if (report.incomplete) head.push('INCOMPLETE');
  lines.push(paint(BOLD, cut(head.join(' · '), width)));
  if (report.secretsShown === true) {
    // --show-secrets: say so before anything else, so the output is not pasted somewhere by mistake.
    lines.push(paint(SGR.critical, cut('SECRETS SHOWN: tokens, Wi-Fi names and router serials in clear; do not share', width)));
  }
  const sevs = [...SEVERITIES].reverse();
  const plainBySev = 'Findings: ' + sevs.map((s) => `${report.summary.findingsBySeverity[s]} ${s}`).join(', ');
  // Colour the counts only when the whole line fits; a cut line stays plain so no SGR is split.
  lines.push(
    plainBySev.length <= width
      ? 'Findings: ' + sevs.map((s) => { const n = report.summary.findingsBySeverity[s]; return n > 0 ? paint(SGR[s], `${n} ${s}`) : `${n} ${s}`; }).join(', ')
      : cut(plainBySev, width),
  );
  const st = report.summary.checksByStatus;
  lines.push(cut(`Checks: ${st.fail} fail, ${st.pass} pass, ${st.error} error, ${st.skipped} skipped`, width));

  const byDevice = new Map<string, { findings: Finding[]; runs: CheckRun[] }>();
  const keyOf = (x: { deviceId: string | null; ip: string }): string => (x.deviceId !== null ? 'did:' + x.deviceId : 'ip:' + x.ip);
  const slot = (k: string): { findings: Finding[]; runs: CheckRun[] } => {
    let s = byDevice.get(k);
    if (s === undefined) byDevice.set(k, (s = { findings: [], runs: [] }));
    return s;
  };
  for (const f of report.findings) slot(keyOf(f)).findings.push(f);
  for (const r of report.checks) slot(keyOf(r)).runs.push(r);

  const renderBlock = (heading: string, facts: string | null, block: { findings: Finding[]; runs: CheckRun[] }): void => {
    lines.push('');
    lines.push(paint(BOLD, cut(heading, width)));
    if (facts !== null) lines.push(cut('  ' + facts, width));
    if (block.findings.length === 0) lines.push('  no findings');
    for (const f of block.findings) {
      const conf = f.confidence !== undefined && f.confidence !== 'certain' ? ` [${f.confidence}]` : '';
      const text = `${clean(f.title, 120)} (${clean(f.checkId, 60)})${conf}`;
      lines.push('  ' + label(f.severity) + cut(text, width - 2 - LABEL_WIDTH));
      lines.push(' '.repeat(2 + LABEL_WIDTH) + cut('→ ' + clean(f.remediation, 400), width - 2 - LABEL_WIDTH));
    }
    const untested = block.runs.filter((r) => r.status === 'error');
    for (const r of untested) {
      const why = r.error ? `${r.error.code}: ${clean(r.error.message, 160)}` : clean(r.reason ?? '', 160);
      lines.push(cut(`  could not test ${clean(r.checkId, 60)}: ${why}`, width));
    }
    if (block.runs.length > 0) {
      const n = (s: CheckRun['status']): number => block.runs.filter((r) => r.status === s).length;
      lines.push(cut(`  checks: ${n('fail')} fail · ${n('pass')} pass · ${n('error')} error · ${n('skipped')} skipped`, width));
    }
  };

  const shown = new Set<string>();
  for (const d of report.devices) {
    const k = keyOf(d);
    shown.add(k);
    renderBlock(deviceHeading(d), deviceFacts(d, report.secretsShown === true), byDevice.get(k) ?? { findings: [], runs: [] });
  }
  // Findings or runs for a device missing from `devices` (should not happen, but never drop a finding).
  for (const [k, block] of byDevice) {
    if (shown.has(k)) continue;
    const first = block.findings[0] ?? block.runs[0];
    renderBlock(`${clean(first?.ip ?? '?', 45)}  (device not in report)`, null, block);
  }

  // --ignore (issue 5): suppressed findings stay visible, with the user's reason.
  if (report.suppressed !== undefined && report.suppressed.length > 0) {
    lines.push('');
    lines.push('Suppressed (ignore file):');
    for (const s of report.suppressed) {
      const f = s.finding;
      const until = s.expires !== undefined ? ` (until ${clean(s.expires, 30)})` : '';
      lines.push(cut(`  ${f.severity.toUpperCase().padEnd(LABEL_WIDTH - 2)}  ${clean(f.ip, 45)}  ${clean(f.checkId, 60)}${f.subject !== undefined ? ' [' + clean(f.subject, 60) + ']' : ''}: ${clean(s.reason, 200)}${until}`, width));
    }
  }
  if (report.warnings !== undefined && report.warnings.length > 0) {
    lines.push('');
    lines.push('Warnings:');
    for (const w of report.warnings) lines.push(cut(`  ${clean(w.code, 60)}${w.ip ? ' ' + clean(w.ip, 45) : ''}: ${clean(w.message, 300)}`, width));
  }
  return lines.join('\n') + '\n';
}

/** A table writer with fixed options (tests, CLI flags). */
export function createTableWriter(options: TableWriterOptions = {}): ReportWriter {
  return {
    write: (report, out) => writeChunk(out, renderTable(report, { color: wantsColor(out, options), width: lineWidth(out, options) })),
  };
}

/** Colour on a TTY unless NO_COLOR; width from the stream. */
export const tableWriter: ReportWriter = createTableWriter();
