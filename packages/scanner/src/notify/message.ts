/**
 * From a diff to one redacted, bounded message (pure). Only the redacted report and the diff are read;
 * only named, plain fields are copied (no evidence, no references, no extras): a finding's evidence may
 * hold anything a device said, and references carry commit hashes the final scrub would refuse.
 */
import { SEVERITIES, compareSeverity, deviceKey, maxSeverity, sanitizeForTerminal, type DeviceReport, type ScanReport, type Severity } from '@xmscan/report';
import type { Change, ChangeItem, NotifyMessage, ReportDiff } from './types.js';

/** Change kinds that make a run worth a message: something new or worse, or a finding set that changed. */
export const NOTIFY_TRIGGER_KINDS: ReadonlySet<Change['kind']> = new Set(['device-new', 'finding-new', 'finding-resolved', 'token-exposed', 'port-opened']);

export const DEFAULT_MAX_CHANGES = 20;
/** ntfy turns bodies over 4096 bytes into attachments; stay below with room for the tail line. */
export const MAX_TEXT_BYTES = 3800;
const MAX_FIELD = 160;
const MAX_LINE = 240;

/** Order in the message: what a homeowner must act on first. */
const KIND_RANK: Record<Change['kind'], number> = {
  'finding-new': 0,
  'token-exposed': 1,
  'device-new': 2,
  'port-opened': 3,
  'firmware-changed': 4,
  'finding-resolved': 5,
  'token-hidden': 6,
  'port-closed': 7,
  'ip-changed': 8,
  'device-gone': 9,
};

/**
 * Text fit for any medium: control/escape sequences stripped (device names are hostile input), length
 * bounded, and every run of 32+ hex digits masked: a token is 32 hex, and nothing a homeowner needs
 * in a notification looks like that.
 */
export function cleanText(value: unknown, max = MAX_FIELD): string {
  return sanitizeForTerminal(value, { maxLength: max }).replace(/[0-9a-f]{32,}/gi, '[hex]');
}

const cleanOrNull = (v: string | null | undefined): string | null => (v === null || v === undefined ? null : cleanText(v));

type DeviceIndex = Map<string, DeviceReport>;

/** Devices by the diff's own identity key (deviceKey), the current scan winning over the previous one. */
function indexDevices(...reports: (ScanReport | null)[]): DeviceIndex {
  const idx: DeviceIndex = new Map();
  for (const r of reports) for (const d of r?.devices ?? []) idx.set(deviceKey(d), d);
  return idx;
}

function where(item: Pick<ChangeItem, 'ip' | 'model' | 'device'>): string {
  return [item.ip ?? item.device, item.model].filter(Boolean).join(' ');
}

function projectChange(change: Change, idx: DeviceIndex): ChangeItem {
  const known = 'device' in change ? change.device : idx.get(change.key);
  const base: ChangeItem = {
    kind: change.kind,
    device: cleanText(change.key),
    ip: cleanOrNull(known?.ip ?? ('finding' in change ? change.finding.ip : null)),
    model: cleanOrNull(known?.model),
    name: cleanOrNull(known?.names[0]),
    text: '',
  };
  let text: string;
  switch (change.kind) {
    case 'finding-new':
    case 'finding-resolved': {
      const f = change.finding;
      base.severity = f.severity;
      base.checkId = cleanText(f.checkId);
      base.title = cleanText(f.title);
      if (f.subject !== undefined) base.subject = cleanText(f.subject);
      const label = change.kind === 'finding-new' ? 'NEW' : 'resolved';
      text = `${label} [${f.severity}] ${where(base)}: ${base.title}`;
      break;
    }
    case 'device-new':
    case 'device-gone':
      text = `${change.kind === 'device-new' ? 'new device' : 'device gone'} ${where(base)}${base.name ? ` (${base.name})` : ''}`;
      break;
    case 'ip-changed':
      base.from = cleanText(change.from);
      base.to = cleanText(change.to);
      text = `IP changed ${base.device}${base.model ? ` ${base.model}` : ''}: ${base.from} -> ${base.to}`;
      break;
    case 'firmware-changed':
      base.from = cleanOrNull(change.from);
      base.to = cleanOrNull(change.to);
      text = `firmware changed ${where(base)}: ${base.from ?? 'unknown'} -> ${base.to ?? 'unknown'}`;
      break;
    case 'token-exposed':
    case 'token-hidden':
      base.from = change.from;
      base.to = change.to;
      text = `${change.kind === 'token-exposed' ? 'token now EXPOSED' : 'token now hidden'} ${where(base)} (${change.from} -> ${change.to})`;
      break;
    case 'port-opened':
    case 'port-closed':
      base.port = change.port;
      base.protocol = change.protocol;
      text = `port ${change.kind === 'port-opened' ? 'opened' : 'closed'} ${where(base)}: ${change.port}/${change.protocol}`;
      break;
  }
  base.text = cleanText(text, MAX_LINE);
  return base;
}

function sortChanges(changes: readonly Change[]): Change[] {
  return changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => {
      const r = KIND_RANK[a.c.kind] - KIND_RANK[b.c.kind];
      if (r !== 0) return r;
      if ('finding' in a.c && 'finding' in b.c) {
        const s = compareSeverity(b.c.finding.severity, a.c.finding.severity);
        if (s !== 0) return s;
      }
      return a.i - b.i;
    })
    .map(({ c }) => c);
}

/** True when the diff warrants a message (resolved findings do not count when the scan was incomplete). */
export function isNotifiable(diff: ReportDiff, current: Pick<ScanReport, 'incomplete'>): boolean {
  return diff.changes.some((c) => NOTIFY_TRIGGER_KINDS.has(c.kind) && !(c.kind === 'finding-resolved' && current.incomplete));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function headline(counts: Record<string, number>, highest: Severity | null, total: number): string {
  const parts: string[] = [];
  const nf = counts['finding-new'] ?? 0;
  if (nf > 0) parts.push(`${plural(nf, 'new finding')}${highest ? ` (${highest})` : ''}`);
  const te = counts['token-exposed'] ?? 0;
  if (te > 0) parts.push(`${plural(te, 'token')} newly exposed`);
  const nd = counts['device-new'] ?? 0;
  if (nd > 0) parts.push(plural(nd, 'new device'));
  const rf = counts['finding-resolved'] ?? 0;
  if (rf > 0) parts.push(`${rf} resolved`);
  const listed = nf + te + nd + rf;
  if (total > listed) parts.push(plural(total - listed, parts.length > 0 ? 'other change' : 'change'));
  return `xmscan: ${parts.join(', ')}`;
}

export interface BuildMessageOptions {
  /** Most changes listed (the rest are counted in `moreChanges`). Default 20. */
  maxChanges?: number;
  /** The previous report (only used to name devices that are gone). */
  previous?: ScanReport | null;
}

/**
 * The message for one run, or null when nothing notifiable changed. `diff.from.startedAt` empty means
 * "first scan, compared with nothing".
 */
export function buildNotifyMessage(diff: ReportDiff, current: ScanReport, options: BuildMessageOptions = {}): NotifyMessage | null {
  if (!isNotifiable(diff, current)) return null;
  const maxChanges = Math.max(1, options.maxChanges ?? DEFAULT_MAX_CHANGES);
  const idx = indexDevices(options.previous ?? null, current);
  const sorted = sortChanges(diff.changes);
  const counts: Record<string, number> = {};
  for (const c of diff.changes) counts[c.kind] = (counts[c.kind] ?? 0) + 1;
  const highest = maxSeverity(diff.changes.flatMap((c) => (c.kind === 'finding-new' ? [c.finding.severity] : [])));

  let items = sorted.slice(0, maxChanges).map((c) => projectChange(c, idx));
  const previousStartedAt = diff.from.startedAt ? cleanText(diff.from.startedAt, 40) : null;
  const startedAt = cleanText(current.startedAt, 40);
  const fbs = Object.fromEntries(SEVERITIES.map((s) => [s, current.summary.findingsBySeverity[s] ?? 0])) as Record<Severity, number>;
  const tool = { name: cleanText(current.tool.name, 40), version: cleanText(current.tool.version, 40) };

  const render = (list: ChangeItem[]): string => {
    const more = diff.changes.length - list.length;
    const lines = [
      `${tool.name} ${tool.version} scan at ${startedAt} (${previousStartedAt ? `compared with ${previousStartedAt}` : 'first scan: nothing to compare with'})`,
      `${plural(current.summary.devices, 'device')}; findings: ${[...SEVERITIES].reverse().map((s) => `${fbs[s]} ${s}`).join(', ')}`,
      'Changes:',
      ...list.map((i) => `- ${i.text}`),
    ];
    if (more > 0) lines.push(`... and ${more} more`);
    if (current.incomplete) lines.push('Scan incomplete: a missing device or finding may only mean it was not reached.');
    return lines.join('\n');
  };
  let text = render(items);
  while (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES && items.length > 1) {
    items = items.slice(0, -1);
    text = render(items);
  }
  return {
    tool,
    startedAt,
    previousStartedAt,
    incomplete: current.incomplete === true,
    title: headline(counts, highest, diff.changes.length),
    highestNewSeverity: highest,
    summary: { devices: current.summary.devices, findingsBySeverity: fbs, changes: counts },
    changes: items,
    moreChanges: diff.changes.length - items.length,
    text,
  };
}
