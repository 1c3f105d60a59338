/**
 * Markdown writer, for an issue tracker or a chat. Device-supplied strings never become markup:
 * controls stripped, `& < >` as entities (no raw HTML, which GitHub would render), and the
 * characters Markdown gives an inline meaning backslash-escaped (pipes would break a table,
 * backticks open code, `[`/`]` make links, `*`/`_`/`~` emphasis, `@` pings people). Device text
 * never starts a line here, so block markers (`#`, `-`, `1.`) need no escape. Our own values (IPs,
 * times, check ids) are written as they are.
 */
import { sanitizeForTerminal } from '../sanitize.js';
import type { DeviceReport, Finding, ScanReport } from '../schema.js';
import { describeDevice, describeToken, groupByDevice, isWebLink, runCounts, SEVERITIES_DESC, SEVERITY_LABEL, type DeviceBlock } from './common.js';
import type { ReportWriter } from './types.js';
import { writeChunk } from './types.js';

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * A device string as inert Markdown text (one line).
 * @example escapeMarkdown('a|b `c` <i>') // 'a\\|b \\`c\\` &lt;i&gt;'
 */
export function escapeMarkdown(value: unknown, maxLength = 200): string {
  return sanitizeForTerminal(value, { maxLength })
    .replace(/[&<>]/g, (c) => ENTITIES[c] ?? c)
    .replace(/[\\`*_{}[\]()#|~@!]/g, '\\$&');
}
const md = escapeMarkdown;

/** Our own prose (titles, remediation from check metadata): no HTML, no table-breaking pipes, no code spans. */
const prose = (s: string, max = 1000): string => sanitizeForTerminal(s, { maxLength: max }).replace(/[&<>]/g, (c) => ENTITIES[c] ?? c).replace(/[\\`|]/g, '\\$&');

/** Our own identifiers (check ids, codes) in a code span; they never hold a backtick, but be sure. */
const code = (s: string): string => '`' + s.replace(/`/g, "'") + '`';

function finding(f: Finding): string[] {
  const conf = f.confidence === 'possible' ? ' _(possible: could not be verified)_' : f.confidence === 'likely' ? ' _(likely)_' : '';
  const lines = [`- **${SEVERITY_LABEL[f.severity]}:** ${prose(f.title, 200)}${conf} (${code(f.checkId)})`, `  - How to fix: ${prose(f.remediation)}`];
  const refs = f.references.map((r) => (isWebLink(r) && !/[\s<>]/.test(r) ? `<${r}>` : md(r)));
  if (refs.length > 0) lines.push(`  - References: ${refs.join(', ')}`);
  return lines;
}

function facts(d: DeviceReport, secretsShown: boolean): string[] {
  const out: string[] = [];
  if (d.names.length > 0) out.push(`- Name: ${d.names.slice(0, 3).map((n) => md(n, 120)).join(', ')}`);
  out.push(`- Model: ${d.model !== null ? md(d.model, 80) : 'unknown'}${d.firmware?.version ? ` · firmware ${md(d.firmware.version, 60)}` : ''}`);
  const addr = [`IP ${md(d.ip, 45)}`];
  if (d.mac !== null) addr.push(`MAC ${md(d.mac, 24)}`);
  if (d.deviceId !== null) addr.push(`device id ${md(d.deviceId, 24)}`);
  out.push(`- ${addr.join(' · ')}`);
  let token = `- miIO token: ${prose(describeToken(d))}`;
  if (d.token.fingerprint !== null) token += ` · fingerprint ${code(d.token.fingerprint)}`;
  if (secretsShown && d.token.value !== undefined) token += ` · token ${code(d.token.value)}`;
  out.push(token);
  const wifi = d.extras?.['wifi'];
  if (typeof wifi === 'object' && wifi !== null && !Array.isArray(wifi)) {
    const w = wifi as Readonly<Record<string, unknown>>;
    if (typeof w['ssid'] === 'string') out.push(`- Wi-Fi: ${md(w['ssid'], 64)}${typeof w['bssid'] === 'string' ? ' · ' + md(w['bssid'], 32) : ''}`);
  }
  if (d.openPorts.length > 0) out.push(`- Open ports: ${d.openPorts.map((p) => `${p.port}/${p.protocol}${p.service !== null ? ' ' + md(p.service, 30) : ''}`).join(', ')}`);
  return out;
}

function block(b: DeviceBlock, secretsShown: boolean): string[] {
  const lines = ['', `### ${md(describeDevice(b.device), 120)} · ${md(b.ip, 45)}`, ''];
  if (b.device !== null) lines.push(...facts(b.device, secretsShown), '');
  if (b.findings.length === 0) lines.push('No problems found by the checks that could run.');
  for (const f of b.findings) lines.push(...finding(f));
  const errors = b.runs.filter((r) => r.status === 'error');
  if (errors.length > 0) {
    lines.push('');
    for (const r of errors) lines.push(`- Could not test ${code(r.checkId)}: ${md(r.error ? `${r.error.code}: ${r.error.message}` : (r.reason ?? ''), 200)}`);
  }
  const c = runCounts(b.runs);
  if (b.runs.length > 0) lines.push('', `Checks: ${c.fail} failed · ${c.pass} passed · ${c.error} could not run · ${c.skipped} not applicable`);
  return lines;
}

/** The report as GitHub-flavoured Markdown. Deterministic for a given report. */
export function renderMarkdown(report: ScanReport): string {
  const s = report.summary;
  const secretsShown = report.secretsShown === true;
  const lines: string[] = ['## Home network device check', ''];
  if (secretsShown) lines.push('> **Secrets shown:** this report contains device tokens, Wi-Fi names and router serials in clear (made with --show-secrets). Do not post it publicly.', '');
  if (report.incomplete) lines.push('> **Incomplete scan:** it stopped early, so a device missing here is not necessarily safe.', '');
  lines.push(`${s.devices} device${s.devices === 1 ? '' : 's'} checked · scan ${md(report.startedAt, 40)} to ${md(report.finishedAt, 40)} · ${md(report.tool.name, 30)} ${md(report.tool.version, 30)}`, '');
  lines.push('| Severity | Findings |', '| --- | ---: |');
  for (const sev of SEVERITIES_DESC) lines.push(`| ${SEVERITY_LABEL[sev]} | ${s.findingsBySeverity[sev]} |`);
  lines.push('', `Checks: ${s.checksByStatus.fail} failed · ${s.checksByStatus.pass} passed · ${s.checksByStatus.error} could not run · ${s.checksByStatus.skipped} not applicable`);
  const suppressed = (report as { suppressed?: readonly unknown[] }).suppressed;
  if (suppressed !== undefined && suppressed.length > 0) lines.push('', `${suppressed.length} finding${suppressed.length === 1 ? '' : 's'} hidden by the ignore file.`);
  for (const b of groupByDevice(report)) lines.push(...block(b, secretsShown));
  if (report.warnings !== undefined && report.warnings.length > 0) {
    lines.push('', '### Scan warnings', '');
    for (const w of report.warnings) lines.push(`- ${code(w.code)}${w.ip ? ' ' + md(w.ip, 45) : ''}: ${md(w.message, 300)}`);
  }
  return lines.join('\n') + '\n';
}

export const markdownWriter: ReportWriter = {
  write: (report, out) => writeChunk(out, renderMarkdown(report)),
};
