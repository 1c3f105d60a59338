/**
 * Renderers for a `ReportDiff` (the scan writers' style: one render function per format, a `diffWriters`
 * map the CLI picks from). Deterministic: the same diff gives the same bytes; no clock is read here.
 */
import type { Writable } from 'node:stream';
import { CHANGE_KINDS, normalizeMac } from './diff.js';
import type { Change, ChangeKind, DeviceKey, ReportDiff } from './diff.js';
import { ReportError } from './errors.js';
import { sanitizeForTerminal } from './sanitize.js';
import type { DeviceReport, ScanReport } from './schema.js';
import { writeChunk } from './writers/types.js';

/** The two reports the diff came from: only used to label devices (IP, model, name). */
export interface DiffContext {
  from?: ScanReport;
  to?: ScanReport;
}

export interface DiffWriter {
  write(diff: ReportDiff, out: Writable, context?: DiffContext): Promise<void>;
}

const clean = (s: unknown, max = 80): string => sanitizeForTerminal(s, { maxLength: max });

const KIND_LABEL: Readonly<Record<ChangeKind, [string, string]>> = {
  'device-new': ['new device', 'new devices'],
  'device-gone': ['device gone', 'devices gone'],
  'ip-changed': ['IP changed', 'IPs changed'],
  'firmware-changed': ['firmware changed', 'firmware changed'],
  'token-exposed': ['token newly exposed', 'tokens newly exposed'],
  'token-hidden': ['token now hidden', 'tokens now hidden'],
  'port-opened': ['port opened', 'ports opened'],
  'port-closed': ['port closed', 'ports closed'],
  'finding-new': ['new finding', 'new findings'],
  'finding-resolved': ['resolved finding', 'resolved findings'],
};

/** "3 changes: 1 device gone, 1 firmware changed, 1 port opened" / "no changes". */
export function diffSummaryLine(diff: ReportDiff): string {
  const n = diff.changes.length;
  if (n === 0) return 'no changes';
  const parts = CHANGE_KINDS.filter((k) => diff.summary[k] > 0).map((k) => `${diff.summary[k]} ${KIND_LABEL[k][diff.summary[k] === 1 ? 0 : 1]}`);
  return `${n} change${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

function side(s: { startedAt: string; scanId?: number }): string {
  return s.scanId !== undefined ? `scan ${s.scanId} (${s.startedAt})` : s.startedAt;
}

/** Device lookup by key, newest scan first: "10.213.0.10 zhimi.airpurifier.ma4 \"Living room\"". */
function labeller(diff: ReportDiff, context: DiffContext): (key: DeviceKey) => string {
  const known = new Map<DeviceKey, DeviceReport>();
  for (const c of diff.changes) if (c.kind === 'device-new' || c.kind === 'device-gone') known.set(c.key, c.device);
  const find = (key: DeviceKey): DeviceReport | undefined => {
    const hit = known.get(key);
    if (hit) return hit;
    const [kind, ...rest] = key.split(':');
    const value = rest.join(':');
    for (const r of [context.to, context.from]) {
      if (!r) continue;
      const d = r.devices.find((x) =>
        kind === 'did' ? x.deviceId === value : kind === 'mac' ? x.mac !== null && normalizeMac(x.mac) === value : x.ip === value,
      );
      if (d) return d;
    }
    return undefined;
  };
  return (key) => {
    const d = find(key);
    const parts = [clean(key, 60)];
    if (d) {
      parts.push(clean(d.ip, 45));
      if (d.model !== null) parts.push(clean(d.model, 60));
      const name = d.names[0];
      if (name !== undefined) parts.push('"' + clean(name, 60) + '"');
    }
    return parts.join('  ');
  };
}

/** One line of text per change (no device label: the caller groups by device). */
function describe(c: Change, esc: (s: unknown, max?: number) => string): string {
  switch (c.kind) {
    case 'device-new': {
      const ports = c.device.openPorts.map((p) => `${p.port}/${p.protocol}`);
      return `new device: ${esc(c.device.ip, 45)}${c.device.model !== null ? ' ' + esc(c.device.model, 60) : ''}, token ${c.device.token.state}${ports.length ? ', open ' + ports.join(', ') : ''}`;
    }
    case 'device-gone':
      return `device gone (last seen at ${esc(c.device.ip, 45)}${c.device.model !== null ? ', ' + esc(c.device.model, 60) : ''})`;
    case 'ip-changed':
      return `IP changed: ${esc(c.from, 45)} → ${esc(c.to, 45)}`;
    case 'firmware-changed':
      return `firmware changed: ${c.from === null ? 'unknown' : esc(c.from, 40)} → ${c.to === null ? 'unknown' : esc(c.to, 40)}`;
    case 'token-exposed':
      return `token newly exposed: ${c.from} → ${c.to}`;
    case 'token-hidden':
      return `token now hidden: ${c.from} → ${c.to}`;
    case 'port-opened':
      return `port opened: ${c.port}/${c.protocol}`;
    case 'port-closed':
      return `port closed: ${c.port}/${c.protocol}`;
    case 'finding-new':
    case 'finding-resolved': {
      const f = c.finding;
      const what = c.kind === 'finding-new' ? 'new finding' : 'resolved';
      return `${what}: ${f.severity.toUpperCase()} ${esc(f.checkId, 60)}${f.subject !== undefined ? ' [' + esc(f.subject, 60) + ']' : ''}: ${esc(f.title, 120)}`;
    }
  }
}

const MARK: Readonly<Record<ChangeKind, string>> = {
  'device-new': '+',
  'device-gone': '-',
  'ip-changed': '~',
  'firmware-changed': '~',
  'token-exposed': '!',
  'token-hidden': '~',
  'port-opened': '+',
  'port-closed': '-',
  'finding-new': '!',
  'finding-resolved': '-',
};

function groups(diff: ReportDiff): [DeviceKey, Change[]][] {
  const out = new Map<DeviceKey, Change[]>();
  for (const c of diff.changes) {
    let list = out.get(c.key);
    if (!list) out.set(c.key, (list = []));
    list.push(c);
  }
  return [...out];
}

/** Plain text: a header, the summary line, then one block per device. */
export function renderDiffTable(diff: ReportDiff, context: DiffContext = {}): string {
  const lines = [`xmscan diff · ${side(diff.from)} → ${side(diff.to)}`, diffSummaryLine(diff)];
  const label = labeller(diff, context);
  for (const [key, list] of groups(diff)) {
    lines.push('', label(key));
    for (const c of list) lines.push(`  ${MARK[c.kind]} ${describe(c, clean)}`);
  }
  return lines.join('\n') + '\n';
}

/** Pretty JSON of the diff itself (`from`, `to`, `summary`, `changes`), trailing newline. */
export function renderDiffJson(diff: ReportDiff): string {
  return JSON.stringify({ from: diff.from, to: diff.to, summary: diff.summary, changes: diff.changes }, null, 2) + '\n';
}

/**
 * Markdown text: controls stripped, then inline markup characters escaped (values never start a line,
 * so `#`, `-`, `+` cannot open a block) and HTML brackets escaped.
 */
function md(s: unknown, max = 80): string {
  return clean(s, max).replace(/[\\`*_{}[\]()<>|~]/g, (ch) => '\\' + ch);
}

/** Markdown: a heading, a summary table of non-zero kinds, then one section per device. */
export function renderDiffMarkdown(diff: ReportDiff, context: DiffContext = {}): string {
  const lines = [`# xmscan diff`, '', `From ${side(diff.from)} to ${side(diff.to)}: ${diffSummaryLine(diff)}.`];
  const kinds = CHANGE_KINDS.filter((k) => diff.summary[k] > 0);
  if (kinds.length > 0) {
    lines.push('', '| Change | Count |', '| --- | ---: |');
    for (const k of kinds) lines.push(`| ${k} | ${diff.summary[k]} |`);
  }
  const label = labeller(diff, context);
  for (const [key, list] of groups(diff)) {
    lines.push('', `## ${md(label(key), 200)}`, '');
    for (const c of list) lines.push(`- ${describe(c, md)}`);
  }
  return lines.join('\n') + '\n';
}

export const diffWriters = {
  table: { write: (diff, out, context) => writeChunk(out, renderDiffTable(diff, context)) },
  json: { write: (diff, out) => writeChunk(out, renderDiffJson(diff)) },
  markdown: { write: (diff, out, context) => writeChunk(out, renderDiffMarkdown(diff, context)) },
} as const satisfies Record<string, DiffWriter>;

export type DiffFormat = keyof typeof diffWriters;

export function isDiffFormat(name: unknown): name is DiffFormat {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(diffWriters, name);
}

export function getDiffWriter(name: string): DiffWriter {
  if (!isDiffFormat(name)) {
    throw new ReportError('REPORT_ERR_UNKNOWN_FORMAT', `unknown diff format ${JSON.stringify(String(name).slice(0, 40))}; expected one of ${Object.keys(diffWriters).join(', ')}`);
  }
  return diffWriters[name];
}
