import type { DeviceProfile, YeelightProfile } from './profile.js';

/** Yeelight discovery and LAN control (protocols.md §5.1-§5.2), pure. */

export const YEELIGHT_GROUP = '239.255.255.250';
export const YEELIGHT_SEARCH_PORT = 1982;
export const YEELIGHT_CONTROL_PORT = 55443;
const DEFAULT_SUPPORT =
  'get_prop set_default set_power toggle set_bright start_cf stop_cf set_scene cron_add cron_get cron_del set_ct_abx set_rgb';
const DEFAULT_STATE: Record<string, string> = {
  power: 'on', bright: '50', color_mode: '1', ct: '4000', rgb: '16711680', hue: '100', sat: '35', name: '',
};

/** `0x` + 16 hex: the Yeelight `id` header equals the miIO did (§4.1, §5.1). */
export function yeelightId(did: number): string {
  return '0x' + did.toString(16).padStart(16, '0');
}

function headerMap(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const i = line.indexOf(':');
    // Split on the first ':' and trim: `ST:wifi_bulb` and `ST: wifi_bulb` both occur (§5.1).
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

/** True for an M-SEARCH asking for bulbs, with or without the final blank line (§5.1). */
export function isYeelightSearch(datagram: Buffer): boolean {
  const text = datagram.toString('latin1');
  if (!/^M-SEARCH \* HTTP\/1\.1\r?\n/i.test(text)) return false;
  const h = headerMap(text);
  return (h.get('man') ?? '').replace(/"/g, '') === 'ssdp:discover' && (h.get('st') === 'wifi_bulb' || h.get('st') === 'ssdp:all');
}

function state(y: YeelightProfile): Record<string, string> {
  return { ...DEFAULT_STATE, ...(y.state ?? {}) };
}

/** The unicast search reply, header order as in the spec example (§5.1). */
export function buildSearchResponse(p: DeviceProfile, y: YeelightProfile, address: string): Buffer {
  const s = state(y);
  const lines = [
    'HTTP/1.1 200 OK',
    'Cache-Control: max-age=3600',
    'Date:',
    'Ext:',
    `Location: yeelight://${address}:${YEELIGHT_CONTROL_PORT}`,
    'Server: POSIX UPnP/1.0 YGLC/1',
    `id: ${yeelightId(p.did)}`,
    `model: ${y.model}`,
    `fw_ver: ${y.fw_ver}`,
    `support: ${y.support ?? DEFAULT_SUPPORT}`,
    ...Object.entries(s).map(([k, v]) => `${k}: ${v}`),
  ];
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

/**
 * Unsolicited advertisement a bulb multicasts when it joins and periodically (§5.1): `NOTIFY` with
 * Host, Cache-Control, Location, `NTS: ssdp:alive` and the same fields as a search reply.
 */
export function buildNotify(p: DeviceProfile, y: YeelightProfile, address: string): Buffer {
  const reply = buildSearchResponse(p, y, address).toString('utf8').split('\r\n');
  const fields = reply.filter((l) => l !== '' && !/^(HTTP\/1\.1|Cache-Control|Date|Ext):?/i.test(l));
  const lines = ['NOTIFY * HTTP/1.1', `Host: ${YEELIGHT_GROUP}:${YEELIGHT_SEARCH_PORT}`, 'Cache-Control: max-age=3600', ...fields.slice(0, 1), 'NTS: ssdp:alive', ...fields.slice(1)];
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

export interface ControlOutcome {
  reply: string;
  kind: string;
  readOnly: boolean;
  detail: Record<string, unknown>;
}

/**
 * One JSON line on TCP 55443. Only `get_prop` is answered; every other method is refused with an
 * error and logged as not read-only (a scanner must never send `set_*`, §5.2).
 */
export function handleControlLine(y: YeelightProfile, line: string): ControlOutcome {
  let req: Record<string, unknown>;
  try {
    const v = JSON.parse(line) as unknown;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    req = v as Record<string, unknown>;
  } catch {
    return { reply: JSON.stringify({ id: null, error: { code: -1, message: 'invalid command' } }), kind: 'malformed', readOnly: true, detail: { length: line.length } };
  }
  const id = typeof req['id'] === 'number' ? req['id'] : null;
  const method = typeof req['method'] === 'string' ? req['method'] : '';
  const params = req['params'];
  if (method === 'get_prop') {
    const s = state(y);
    const result = Array.isArray(params) ? params.map((n) => (typeof n === 'string' ? (s[n] ?? '') : '')) : [];
    return { reply: JSON.stringify({ id, result }), kind: 'get_prop', readOnly: true, detail: { id, method, params: params ?? null } };
  }
  return {
    reply: JSON.stringify({ id, error: { code: -1, message: 'unsupported method' } }),
    kind: method || 'no-method',
    readOnly: false,
    detail: { id, method, params: params ?? null },
  };
}
