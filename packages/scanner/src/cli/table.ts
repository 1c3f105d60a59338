import type { DiscoveryJson } from '../discovery/json.js';

/** Plain-text table of discovered devices for a terminal. */
export function renderDiscoveryTable(doc: DiscoveryJson): string {
  const header = ['IP', 'MAC', 'VENDOR', 'XIAOMI', 'DEVICE ID', 'MODEL', 'TOKEN', 'SOURCES'];
  const rows = doc.devices.map((d) => [
    d.ip ?? '-',
    d.mac ?? '-',
    (d.vendor ?? '-').slice(0, 28),
    d.xiaomiFamily ?? '-',
    d.deviceId ?? '-',
    d.model ?? '-',
    d.hello === null ? '-' : d.hello.tokenField === 'exposed' ? 'EXPOSED' : `hidden(${d.hello.hiddenAs})`,
    d.sources.join(',') + (d.conflicts.length > 0 ? ` !conflict:${d.conflicts.map((c) => c.field).join(',')}` : ''),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  out.push('', `${doc.devices.length} device(s), ${doc.startedAt} → ${doc.finishedAt}`);
  return out.join('\n') + '\n';
}
