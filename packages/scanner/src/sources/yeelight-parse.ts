import type { YeelightEvidence } from '../discovery/sighting.js';
import { isIpv4 } from '../targets/ipv4.js';

/** The M-SEARCH a Yeelight bulb answers (protocols.md §5.1), with the optional final CRLF. */
export const YEELIGHT_SEARCH = Buffer.from(
  'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1982\r\nMAN: "ssdp:discover"\r\nST: wifi_bulb\r\n\r\n',
  'latin1',
);
export const YEELIGHT_GROUP = '239.255.255.250';
export const YEELIGHT_PORT = 1982;

export interface YeelightReply extends YeelightEvidence {
  /** miIO did (decimal) from the hex `id` (§4.1: Yeelight id = miIO did). */
  deviceId: string | null;
}

const MAX_REPLY = 8192;

/**
 * Parse a search reply (`HTTP/1.1 200 OK`) or a `NOTIFY` advertisement. Headers split on the first
 * `:` and trimmed (empty `Date:` / `Ext:` have no space, §5.1). Null for anything else, including
 * our own M-SEARCH looped back.
 */
export function parseYeelightReply(datagram: Uint8Array): YeelightReply | null {
  if (datagram.length === 0 || datagram.length > MAX_REPLY) return null;
  const text = Buffer.from(datagram).toString('latin1');
  const lines = text.split(/\r?\n/);
  const start = lines[0]?.trim() ?? '';
  if (!/^HTTP\/1\.1 200\b/i.test(start) && !/^NOTIFY \* HTTP\/1\.1$/i.test(start)) return null;
  const h = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    if (!h.has(key)) h.set(key, line.slice(colon + 1).trim());
  }
  const id = h.get('id') ?? '';
  const location = h.get('location') ?? null;
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(id) && location === null) return null;
  let deviceId: string | null = null;
  if (/^0x[0-9a-fA-F]{1,16}$/.test(id)) deviceId = BigInt(id).toString();
  let lanControl: YeelightReply['lanControl'] = null;
  const m = location !== null ? /^yeelight:\/\/([^:/\s]+):(\d{1,5})\/?$/i.exec(location) : null;
  if (m && isIpv4(m[1]!) && Number(m[2]) > 0 && Number(m[2]) < 65536) lanControl = { host: m[1]!, port: Number(m[2]) };
  const support = (h.get('support') ?? '').split(/\s+/).filter((x) => x.length > 0);
  return {
    id,
    deviceId,
    model: h.get('model') || null,
    fwVer: h.get('fw_ver') || null,
    support,
    location,
    lanControl,
    name: h.get('name') || null,
    server: h.get('server') || null,
  };
}
