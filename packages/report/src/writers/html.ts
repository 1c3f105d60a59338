/**
 * HTML writer: one self-contained file a homeowner can open offline. No external fetch of any kind
 * (no fonts, images, scripts or styles from URLs); a strict Content-Security-Policy allows only the
 * one inline stylesheet (by hash) and no script at all. The severity filter is pure CSS (`:has()` on
 * checkboxes), so it needs no script. Every device-supplied string (names, model, banners, TXT,
 * evidence) goes through `esc()`: controls and bidi overrides stripped, then HTML-escaped.
 */
import { createHash } from 'node:crypto';
import { sanitizeForTerminal } from '../sanitize.js';
import type { DeviceReport, Finding, JsonValue, ScanReport } from '../schema.js';
import type { Severity } from '../severity.js';
import {
  describeDevice,
  describeToken,
  groupByDevice,
  isWebLink,
  runCounts,
  SEVERITIES_DESC,
  SEVERITY_LABEL,
  SEVERITY_MEANING,
  type DeviceBlock,
} from './common.js';
import type { ReportWriter } from './types.js';
import { writeChunk } from './types.js';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for an HTML text node or a quoted attribute: controls and bidi overrides removed (they would
 * reorder what the reader sees), length capped, `& < > " '` escaped.
 * @example escapeHtml('<script>alert(1)</script>') // '&lt;script&gt;alert(1)&lt;/script&gt;'
 */
export function escapeHtml(value: unknown, maxLength = 300): string {
  return sanitizeForTerminal(value, { maxLength }).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
const esc = escapeHtml;

const CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1b1f24;--muted:#5b6470;--line:#d9dde3;
--critical:#8b0000;--high:#c62828;--medium:#b26a00;--low:#1565c0;--info:#546e7a;--ok:#2e7d32}
@media (prefers-color-scheme:dark){:root{--bg:#14171a;--card:#1e2227;--fg:#e8eaed;--muted:#a3acb7;--line:#353b43;
--critical:#ff6b6b;--high:#ff8a80;--medium:#ffb74d;--low:#82b1ff;--info:#b0bec5;--ok:#81c784}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer,.banner,.summary,.filter{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.25rem;margin:0}
h3{font-size:1.05rem;margin:0}
.meta,.muted{color:var(--muted)}
.banner{margin-top:1rem;padding:.75rem 1rem;border-radius:.5rem;border:2px solid var(--high);background:var(--card);font-weight:600}
.summary{margin-top:1rem}
.counts{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.5rem 0}
.counts li{background:var(--card);border:1px solid var(--line);border-left:.4rem solid var(--sev);border-radius:.5rem;padding:.4rem .8rem;min-width:7rem}
.counts b{font-size:1.4rem;display:block}
.sev-critical{--sev:var(--critical)}.sev-high{--sev:var(--high)}.sev-medium{--sev:var(--medium)}.sev-low{--sev:var(--low)}.sev-info{--sev:var(--info)}
.filter{margin-top:.5rem}
.filter fieldset{border:1px solid var(--line);border-radius:.5rem;background:var(--card)}
.filter label{margin-right:1rem;white-space:nowrap}
main{margin-top:1rem}
.device{background:var(--card);border:1px solid var(--line);border-left:.4rem solid var(--sev,var(--ok));border-radius:.5rem;padding:1rem;margin:0 0 1rem}
.device dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.75rem 0}
.device dt{color:var(--muted)}
.device dd{margin:0;overflow-wrap:anywhere}
.findings{list-style:none;padding:0;margin:.5rem 0 0}
.finding{border-top:1px solid var(--line);padding:.75rem 0}
.badge{display:inline-block;min-width:5.5rem;text-align:center;color:#fff;background:var(--sev);border-radius:1rem;padding:0 .6rem;font-size:.85rem;font-weight:700;margin-right:.5rem}
@media (prefers-color-scheme:dark){.badge{color:#111}}
.fix{margin:.4rem 0}
.refs{margin:.25rem 0 0;color:var(--muted)}.refs ul{margin:.1rem 0;padding-left:1.25rem}
.ok{color:var(--ok);font-weight:600}
details{margin-top:.25rem}
summary{cursor:pointer;color:var(--muted)}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
footer{padding-bottom:2rem;color:var(--muted)}
table{border-collapse:collapse}td,th{text-align:left;padding:.1rem .75rem .1rem 0;vertical-align:top}
body:has(#show-critical:not(:checked)) .finding.sev-critical,
body:has(#show-high:not(:checked)) .finding.sev-high,
body:has(#show-medium:not(:checked)) .finding.sev-medium,
body:has(#show-low:not(:checked)) .finding.sev-low,
body:has(#show-info:not(:checked)) .finding.sev-info{display:none}
body:has(#hide-clean:checked) .device.clean{display:none}
@media print{.filter{display:none}}
`;

/** The CSP: nothing may load; only our stylesheet (pinned by hash) applies. No script runs. */
export const HTML_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS, 'utf8').digest('base64')}'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'`;

/** `2026-11-26T12:00:30.000Z` → `2026-11-26 12:00 UTC`: readable, and the same on every machine. */
function readableTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m !== null ? `${m[1]} ${m[2]} UTC` : iso;
}

/** "2026-11-26 12:00 UTC", or "2026-11-26 12:00 to 12:05 UTC" / across days both dates. */
function scanWindow(start: string, finish: string): string {
  const a = readableTime(start);
  const b = readableTime(finish);
  if (a === b) return a;
  const [da, ta] = a.split(' ');
  const [db, tb] = b.split(' ');
  return da === db && ta !== undefined && tb !== undefined ? `${da} ${ta} to ${tb} UTC` : `${a} to ${b}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function jsonText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function renderEvidence(evidence: Finding['evidence']): string {
  const rows = Object.entries(evidence).map(([k, v]) => `<tr><th scope="row">${esc(k, 60)}</th><td><code>${esc(jsonText(v), 400)}</code></td></tr>`);
  return rows.length > 0 ? `<table class="evidence">${rows.join('')}</table>` : '';
}

function renderReferences(refs: readonly string[]): string {
  if (refs.length === 0) return '';
  const items = refs.map((r) =>
    isWebLink(r) ? `<li><a href="${esc(r, 2000)}" rel="noreferrer noopener" target="_blank">${esc(r, 200)}</a></li>` : `<li>${esc(r, 200)}</li>`,
  );
  return `<div class="refs">Learn more:<ul>${items.join('')}</ul></div>`;
}

function renderFinding(f: Finding): string {
  const conf = f.confidence === 'possible' ? ' <span class="muted">(possible: could not be verified)</span>' : f.confidence === 'likely' ? ' <span class="muted">(likely)</span>' : '';
  return [
    `<li class="finding sev-${f.severity}">`,
    `<h3><span class="badge">${SEVERITY_LABEL[f.severity]}</span>${esc(f.title, 200)}${conf}</h3>`,
    `<p class="fix"><strong>How to fix:</strong> ${esc(f.remediation, 1000)}</p>`,
    `<details><summary>Details</summary>`,
    `<p>Check <code>${esc(f.checkId, 80)}</code>${f.subject !== undefined ? ` · <code>${esc(f.subject, 80)}</code>` : ''}</p>`,
    renderEvidence(f.evidence),
    `</details>`,
    renderReferences(f.references),
    `</li>`,
  ].join('');
}

function fact(label: string, valueHtml: string): string {
  return `<dt>${label}</dt><dd>${valueHtml}</dd>`;
}

function extrasObject(d: DeviceReport, key: string): Readonly<Record<string, JsonValue>> | null {
  const v = d.extras?.[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Readonly<Record<string, JsonValue>>) : null;
}

function renderFacts(d: DeviceReport, secretsShown: boolean): string {
  const out: string[] = [];
  if (d.names.length > 0) out.push(fact('Name', d.names.slice(0, 5).map((n) => esc(n, 120)).join('<br>')));
  out.push(fact('Model', d.model !== null ? `<code>${esc(d.model, 80)}</code>` : 'unknown'));
  out.push(fact('Address', `<code>${esc(d.ip, 45)}</code>${d.mac !== null ? ` · MAC <code>${esc(d.mac, 24)}</code>` : ''}`));
  if (d.vendor !== null) out.push(fact('Maker (from MAC)', esc(d.vendor, 80)));
  if (d.deviceId !== null) out.push(fact('Device id', `<code>${esc(d.deviceId, 24)}</code>`));
  if (d.firmware?.version) out.push(fact('Firmware', `<code>${esc(d.firmware.version, 60)}</code>`));
  let token = esc(describeToken(d));
  if (d.token.fingerprint !== null) token += ` · fingerprint <code>${esc(d.token.fingerprint, 20)}</code>`;
  if (secretsShown && d.token.value !== undefined) token += `<br>token <code>${esc(d.token.value, 40)}</code>`;
  out.push(fact('miIO token', token));
  const wifi = extrasObject(d, 'wifi');
  if (wifi !== null && (typeof wifi['ssid'] === 'string' || typeof wifi['bssid'] === 'string')) {
    const parts = [typeof wifi['ssid'] === 'string' ? `network <code>${esc(wifi['ssid'], 64)}</code>` : '', typeof wifi['bssid'] === 'string' ? `access point <code>${esc(wifi['bssid'], 32)}</code>` : ''];
    out.push(fact('Wi-Fi', parts.filter(Boolean).join(' · ')));
  }
  const router = extrasObject(d, 'router') ?? extrasObject(d, 'routerInitInfo');
  if (router !== null) {
    const serial = secretsShown && typeof router['serial'] === 'string' ? router['serial'] : typeof router['serialRedacted'] === 'string' ? router['serialRedacted'] : null;
    if (serial !== null) out.push(fact('Router serial', `<code>${esc(serial, 60)}</code>`));
  }
  if (d.openPorts.length > 0) {
    const ports = d.openPorts.map((p) => `<code>${p.port}/${p.protocol}</code>${p.service !== null ? ' ' + esc(p.service, 30) : ''}${p.banner !== null ? ` <span class="muted">“${esc(p.banner, 80)}”</span>` : ''}`);
    out.push(fact('Open ports', ports.join('<br>')));
  }
  return `<dl>${out.join('')}</dl>`;
}

function renderDevice(b: DeviceBlock, secretsShown: boolean): string {
  const sevClass = b.worst !== null ? ` sev-${b.worst}` : ' clean';
  const title = esc(describeDevice(b.device), 120);
  const head = `<h2>${title} <span class="muted">· ${esc(b.ip, 45)}</span></h2>`;
  const facts = b.device !== null ? renderFacts(b.device, secretsShown) : '';
  const findings = b.findings.length > 0 ? `<ol class="findings">${b.findings.map(renderFinding).join('')}</ol>` : `<p class="ok">No problems found by the checks that could run.</p>`;
  const errors = b.runs.filter((r) => r.status === 'error');
  const untested =
    errors.length > 0
      ? `<p class="muted">Could not test: ${errors.map((r) => `<code>${esc(r.checkId, 80)}</code> (${esc(r.error ? `${r.error.code}: ${r.error.message}` : (r.reason ?? ''), 200)})`).join('; ')}</p>`
      : '';
  const c = runCounts(b.runs);
  const runs = b.runs.length > 0 ? `<p class="muted">Checks: ${c.fail} failed · ${c.pass} passed · ${c.error} could not run · ${c.skipped} not applicable</p>` : '';
  return `<article class="device${sevClass}" aria-label="${title}">${head}${facts}${findings}${untested}${runs}</article>`;
}

/**
 * The whole report as one HTML document (UTF-8). Deterministic for a given report: the only time
 * shown is the report's own.
 */
export function renderHtml(report: ScanReport): string {
  const s = report.summary;
  const secretsShown = report.secretsShown === true;
  const blocks = groupByDevice(report);
  const total = SEVERITIES_DESC.reduce((n, sev) => n + s.findingsBySeverity[sev], 0);
  const counts = SEVERITIES_DESC.map((sev: Severity) => `<li class="sev-${sev}" title="${esc(SEVERITY_MEANING[sev])}"><b>${s.findingsBySeverity[sev]}</b>${SEVERITY_LABEL[sev]}</li>`).join('');
  const filter = SEVERITIES_DESC.map((sev) => `<label><input type="checkbox" id="show-${sev}" checked> ${SEVERITY_LABEL[sev]} (${s.findingsBySeverity[sev]})</label>`).join('');
  const banners: string[] = [];
  if (secretsShown) {
    banners.push('<p class="banner" role="alert">Secrets shown: this report contains device tokens, Wi-Fi names and router serials in clear (made with --show-secrets). Do not share it.</p>');
  }
  if (report.incomplete) banners.push('<p class="banner" role="alert">Incomplete scan: it stopped early, so a device missing here is not necessarily safe.</p>');
  const suppressed = (report as { suppressed?: readonly unknown[] }).suppressed;
  const warnings = report.warnings ?? [];
  const footer = [
    `<h2>What the severities mean</h2><table>${SEVERITIES_DESC.map((sev) => `<tr><th scope="row">${SEVERITY_LABEL[sev]}</th><td>${esc(SEVERITY_MEANING[sev])}</td></tr>`).join('')}</table>`,
    suppressed !== undefined && suppressed.length > 0 ? `<p>${plural(suppressed.length, 'finding')} hidden by your ignore file.</p>` : '',
    warnings.length > 0 ? `<h2>Scan warnings</h2><ul>${warnings.map((w) => `<li><code>${esc(w.code, 60)}</code>${w.ip ? ' ' + esc(w.ip, 45) : ''}: ${esc(w.message, 300)}</li>`).join('')}</ul>` : '',
    `<p>Made by ${esc(report.tool.name, 30)} ${esc(report.tool.version, 30)}. This scan only listened and asked read-only questions; it changed nothing on your devices.</p>`,
  ].join('');
  const day = esc(report.startedAt.slice(0, 10), 10);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Home network device check, ${day}: ${plural(s.devices, 'device')}, ${plural(total, 'problem')}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    `<header><h1>Home network device check</h1><p class="meta">${plural(s.devices, 'device')} checked · ${plural(total, 'problem')} found · scanned ${esc(scanWindow(report.startedAt, report.finishedAt), 80)}</p></header>`,
    ...banners,
    `<section class="summary" aria-label="Summary"><ul class="counts" id="summary">${counts}</ul>`,
    `<p class="muted">Checks: ${s.checksByStatus.fail} failed · ${s.checksByStatus.pass} passed · ${s.checksByStatus.error} could not run · ${s.checksByStatus.skipped} not applicable</p></section>`,
    `<form class="filter" aria-label="Filter"><fieldset><legend>Show problems of severity</legend>${filter}<label><input type="checkbox" id="hide-clean"> Hide devices without problems</label></fieldset></form>`,
    `<main>${blocks.length > 0 ? blocks.map((b) => renderDevice(b, secretsShown)).join('\n') : '<p>No devices were found.</p>'}</main>`,
    `<footer>${footer}</footer>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

export const htmlWriter: ReportWriter = {
  write: (report, out) => writeChunk(out, renderHtml(report)),
};
